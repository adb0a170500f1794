from django import template

from ..selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """The signed-in user's unread count: one query per request, however often it is shown."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    if not hasattr(request, "_unread_notifications"):
        request._unread_notifications = unread_count(user=user)
    return request._unread_notifications


@register.filter
def absolute_url(path: str) -> str:
    """A path made absolute with SITE_URL, for e-mails."""
    from ..links import absolute

    return absolute(path or "/")


@register.filter
def iso_date(value: str, fmt: str = "D j M") -> str:
    """A date stored as ISO text in a digest payload, shown the way people read dates."""
    from datetime import date, datetime

    from django.utils.formats import date_format

    if not value:
        return ""
    try:
        parsed = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return value
    return date_format(parsed, fmt)
