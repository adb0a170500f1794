"""The account menu at the end of the navigation bar (core.nav): the signed-in person's
settings and log-out, or log-in and sign-up for a visitor."""

from django.middleware.csrf import get_token
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from core.links import url


def account_menu(request) -> str:
    user = request.user
    if not user.is_authenticated:
        return format_html(
            '<li class="nav-item"><a class="nav-link" href="{}">{}</a></li>'
            '<li class="nav-item"><a class="btn btn-primary btn-sm ms-md-2 mt-1" href="{}">{}</a>'
            "</li>",
            url("account_login"),
            gettext("Log in"),
            url("account_signup"),
            gettext("Sign up"),
        )
    entries = [
        (url("accounts:profile"), gettext("Profile and time zone")),
        (url("account_email"), gettext("E-mail addresses")),
        (url("account_change_password"), gettext("Change password")),
        (url("mfa_index"), gettext("Two-factor authentication")),
        (url("mentorship:my_invitations"), gettext("My invitations")),
    ]
    if user.is_staff:
        entries.append((url("admin:index"), gettext("Site administration")))
    return format_html(
        '<li class="nav-item dropdown"><a class="nav-link dropdown-toggle" href="#" role="button" '
        'data-bs-toggle="dropdown" aria-expanded="false">{}</a>'
        '<ul class="dropdown-menu dropdown-menu-end">{}<li><hr class="dropdown-divider"></li>'
        '<li><form method="post" action="{}"><input type="hidden" name="csrfmiddlewaretoken" '
        'value="{}"><button type="submit" class="dropdown-item">{}</button></form></li></ul></li>',
        user.display_name,
        format_html_join("", '<li><a class="dropdown-item" href="{}">{}</a></li>', entries),
        url("account_logout"),
        get_token(request),
        gettext("Log out"),
    )
