"""Abstract models the domain apps share. No tables of their own."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class HistoryEvent(models.Model):
    """One entry in an object's history: who did what, and when. Goals and pairings each
    keep theirs in a concrete subclass that adds the foreign key to the object."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=40)
    detail = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]
