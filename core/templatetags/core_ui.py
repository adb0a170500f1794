"""Tags of the page frame (templates/base.html): `{% load core_ui %}{% nav_items "main" %}`."""

from django import template

from core import nav
from core.dates import STYLES, written

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_items(context, slot: str):
    """The navigation items apps registered for `slot` (core.nav), for this request."""
    request = context.get("request")
    if request is None:
        return ""
    return nav.items(slot, request)


@register.filter(expects_localtime=True)
def when(value, style: str = "date") -> str:
    """`{{ meeting.starts_at|when:"weekday_date_time" }}`: a date or time in one of
    core.dates.STYLES, written the reader's way."""
    if style not in STYLES:
        raise template.TemplateSyntaxError(f"no date style {style!r}")
    return written(value, style)
