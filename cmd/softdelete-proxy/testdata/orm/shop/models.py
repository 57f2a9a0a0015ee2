"""The models of django_workload.py."""
from django.db import models


class Author(models.Model):
    email = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=100)


class Book(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    isbn = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=100)


class Tag(models.Model):
    slug = models.SlugField(unique=True)
    books = models.ManyToManyField(Book)


class Review(models.Model):
    book = models.ForeignKey(Book, on_delete=models.PROTECT)
    stars = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["book", "stars"], name="one_review_per_stars")]
