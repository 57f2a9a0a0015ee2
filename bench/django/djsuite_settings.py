# Settings for Django's own test suite (tests/runtests.py --settings djsuite_settings),
# used by bench/django-suite.sh. Host, port, user and database name come from the environment,
# so one file serves the direct run and the runs through softdelete-proxy.
import os

_db = {
    'ENGINE': 'django.db.backends.postgresql',
    'HOST': os.environ.get('DJSUITE_HOST', '127.0.0.1'),
    'PORT': os.environ.get('DJSUITE_PORT', '5432'),
    'USER': os.environ.get('DJSUITE_USER', 'djsuite'),
    'PASSWORD': '',
    'OPTIONS': {'sslmode': 'disable'},
}
_name = os.environ.get('DJSUITE_NAME', 'djsuite')
# postgres_tests creates extensions (bloom among them) that only a superuser may create: they are
# installed once in a template database the test databases are copied from.
_template = os.environ.get('DJSUITE_TEMPLATE', 'djsuite_template')

DATABASES = {
    'default': dict(_db, NAME=_name, TEST={'NAME': 'test_' + _name, 'TEMPLATE': _template}),
    'other': dict(_db, NAME=_name + '_other', TEST={'NAME': 'test_' + _name + '_other', 'TEMPLATE': _template}),
}

SECRET_KEY = 'django_tests_secret_key'

# Use a fast hasher to speed up tests.
PASSWORD_HASHERS = [
    'django.contrib.auth.hashers.MD5PasswordHasher',
]

DEFAULT_AUTO_FIELD = 'django.db.models.AutoField'
