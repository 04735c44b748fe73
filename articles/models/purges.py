"""Purges of the readers' caches that are owed: written in the same transaction as the change
that needs them, so that a purge survives the process that made the change, and Redis or the
HTTP cache being away for a moment (see ``articles.readers.surrogates``)."""

from django.contrib.postgres.fields import ArrayField
from django.db import models


class PendingPurge(models.Model):
    keys = ArrayField(models.CharField(max_length=40))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return " ".join(self.keys)
