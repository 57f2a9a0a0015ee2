"""A Django workload for softdelete-proxy's tests (cmd/softdelete-proxy/orm_test.go).

python3 django_workload.py schema|workload: with SD_DB_NAME, SD_DB_HOST, SD_DB_PORT,
SD_DB_USER. "schema" creates the tables; "workload" runs models with foreign keys,
unique fields, fixtures with explicit keys and a sequence reset, delete then recreate,
bulk operations, select_for_update and transactions, printing what it sees. The
test runs it straight on PostgreSQL and through the proxy with every table under
the policy: the two outputs must be the same.
"""
import os
import sys

import django
from django.conf import settings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

settings.configure(
    DEBUG=False,
    INSTALLED_APPS=["shop"],
    USE_TZ=True,
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    DATABASES={"default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ["SD_DB_NAME"], "HOST": os.environ["SD_DB_HOST"],
        "PORT": os.environ["SD_DB_PORT"], "USER": os.environ["SD_DB_USER"],
        "OPTIONS": {"sslmode": "disable"},
    }},
)
django.setup()

from django.core.management.color import no_style  # noqa: E402
from django.db import IntegrityError, connection, models, transaction  # noqa: E402
from shop.models import Author, Book, Review, Tag  # noqa: E402


MODELS = [Author, Book, Tag, Review]


def schema():
    with connection.schema_editor() as editor:
        for m in MODELS:
            editor.create_model(m)


def show(label, qs):
    print(label, [tuple(r) for r in qs])


def workload():
    # fixtures: explicit keys, then the sequence reset loaddata sends
    Author.objects.bulk_create([Author(id=i, email=f"a{i}@x", name=f"A{i}") for i in range(1, 4)])
    with connection.cursor() as cur:
        for sql in connection.ops.sequence_reset_sql(no_style(), MODELS):
            cur.execute(sql)
    a4 = Author.objects.create(email="a4@x", name="A4")
    print("next id", a4.id)
    b1 = Book.objects.create(author_id=1, isbn="111", title="one")
    Book.objects.create(author_id=2, isbn="222", title="two")
    show("books", Book.objects.order_by("id").values_list("id", "isbn", "author_id"))

    # delete then recreate with the same unique values and the same key
    Author.objects.filter(id=1).delete()  # cascades to book 111
    show("authors after delete", Author.objects.order_by("id").values_list("id", "email"))
    Author.objects.create(id=1, email="a1@x", name="again")
    Book.objects.create(author_id=1, isbn="111", title="one again")
    show("recreated", Book.objects.filter(isbn="111").values_list("isbn", "title", "author__name"))

    # the sequence reset again, now that rows were deleted
    Author.objects.filter(id=4).delete()
    with connection.cursor() as cur:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Author]):
            cur.execute(sql)
    print("next id after delete", Author.objects.create(email="a5@x", name="A5").id)

    # unique violations still happen between live rows
    try:
        with transaction.atomic():
            Author.objects.create(email="a2@x", name="dup")
    except IntegrityError:
        print("duplicate email refused")

    # update_or_create, get_or_create, bulk_update, ON CONFLICT
    Author.objects.update_or_create(email="a3@x", defaults={"name": "A3 renamed"})
    _, created = Author.objects.get_or_create(email="a1@x", defaults={"name": "x"})
    print("get_or_create created", created)
    authors = list(Author.objects.order_by("id"))
    for a in authors:
        a.name = a.name.upper()
    Author.objects.bulk_update(authors, ["name"])
    Author.objects.bulk_create([Author(email="a2@x", name="ignored"), Author(email="a9@x", name="A9")], ignore_conflicts=True)
    show("authors", Author.objects.order_by("email").values_list("email", "name"))

    # many-to-many, and removing and re-adding a link
    t = Tag.objects.create(slug="sf")
    book = Book.objects.get(isbn="222")
    t.books.add(book)
    t.books.remove(book)
    t.books.add(book)
    show("tag books", t.books.values_list("isbn"))
    t.delete()
    Tag.objects.create(slug="sf")
    print("tags", Tag.objects.count())

    # PROTECT, and a unique constraint over two columns
    Review.objects.create(book=book, stars=5)
    try:
        with transaction.atomic():
            book.delete()
    except models.ProtectedError:
        print("protected")
    Review.objects.filter(book=book).delete()
    Review.objects.create(book=book, stars=5)
    print("reviews", Review.objects.count())

    # select_for_update in a transaction, rolled back and committed
    try:
        with transaction.atomic():
            a = Author.objects.select_for_update().get(email="a9@x")
            a.delete()
            Author.objects.create(email="a9@x", name="inside")
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    show("after rollback", Author.objects.filter(email="a9@x").values_list("name"))
    with transaction.atomic():
        a = Author.objects.select_for_update().get(email="a9@x")
        Book.objects.filter(author=a).delete()
        a.delete()
        Author.objects.create(email="a9@x", name="replaced")
    show("after commit", Author.objects.filter(email="a9@x").values_list("name"))

    # bulk delete, then the same rows again
    Review.objects.all().delete()
    Book.objects.all().delete()
    Book.objects.bulk_create([Book(author_id=1, isbn=str(i), title="bulk") for i in range(10)])
    Book.objects.filter(isbn__in=["1", "2"]).delete()
    Book.objects.bulk_create([Book(author_id=1, isbn=str(i), title="bulk again") for i in (1, 2)])
    print("books", Book.objects.count(), Book.objects.filter(title="bulk again").count())
    print("done")


if __name__ == "__main__":
    {"schema": schema, "workload": workload}[sys.argv[1]]()
