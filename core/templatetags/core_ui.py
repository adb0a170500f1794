"""Tags of the page frame (templates/base.html): `{% load core_ui %}{% nav_items "main" %}`."""

from django import template

from core import nav

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_items(context, slot: str):
    """The navigation items apps registered for `slot` (core.nav), for this request."""
    request = context.get("request")
    if request is None:
        return ""
    return nav.items(slot, request)
