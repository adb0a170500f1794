from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """The signed-in user's unread count, from the request's viewer: one query per request,
    however often it is shown."""
    viewer = getattr(context.get("request"), "viewer", None)
    if viewer is None or not viewer.is_authenticated:
        return 0
    return viewer.unread_count


@register.simple_tag(takes_context=True)
def inbox_nav(context, oob=False):
    """The inbox item of the navigation bar (notifications.nav), sent out of band with
    `oob=True` when the inbox changes the count."""
    from ..nav import inbox_item

    request = context.get("request")
    return inbox_item(request, oob=bool(oob)) if request is not None else ""


@register.filter
def absolute_url(path: str) -> str:
    """A path made absolute with SITE_URL, for e-mails."""
    from ..links import absolute

    return absolute(path or "/")


@register.filter
def iso_date(value: str, style: str = "short_weekday") -> str:
    """A date stored as ISO text in a digest payload, in a style of core.dates (the
    reader's way)."""
    from datetime import date, datetime

    from core.dates import written

    if not value:
        return ""
    try:
        parsed = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return value
    return written(parsed, style)
