"""Reads shared by views, the dispatcher and delivery; each is a fixed number of queries."""

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db import connection

from .models import Notification, Preferences
from .schedule import Prefs


def preferences_for(*, user) -> Prefs:
    row = Preferences.objects.filter(user=user).first()
    return Prefs.from_row(row)


def preferences_for_users(*, user_ids) -> dict[int, Prefs]:
    """Preferences of many people in one query; people without a row get the defaults."""
    rows = Preferences.objects.filter(user_id__in=list(user_ids))
    found = {row.user_id: Prefs.from_row(row) for row in rows}
    return {user_id: found.get(user_id, Prefs()) for user_id in user_ids}


def unread_count(*, user) -> int:
    """The person's unread notifications (every page's navigation shows it): written as SQL,
    which costs a tenth of building and compiling the same count as a queryset."""
    table = Notification._meta.db_table
    with connection.cursor() as cursor:
        # The table name comes from the model; the value is a parameter.
        cursor.execute(
            f"SELECT COUNT(*) FROM {table} WHERE recipient_id = %s AND read_at IS NULL",  # noqa: S608
            [user.pk],
        )
        return cursor.fetchone()[0]


def inbox_page(*, user, page_number, per_page: int = 25) -> Page:
    queryset = Notification.objects.filter(recipient=user).only(
        "uuid", "kind", "title", "body", "url", "read_at", "created_at", "recipient_id"
    )
    return Paginator(queryset, per_page).get_page(page_number)


def inbox(*, user):
    """The user's notifications, newest first (the API's inbox list). An anonymous visitor
    (the schema generator's mock request) has none."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def own_notification(*, user, uuid) -> Notification | None:
    """The user's notification with this uuid; None for anyone else's (its existence is
    nobody else's business)."""
    return Notification.objects.filter(uuid=uuid, recipient=user).first()


def active_user_by_uuid(uuid):
    """The active account an unsubscribe link names, or None."""
    return get_user_model().objects.filter(uuid=uuid, is_active=True).first()
