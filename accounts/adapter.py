from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.utils import translation

from notifications.services import email_enqueue

from .selectors import reading_languages


class AccountAdapter(DefaultAccountAdapter):
    """allauth hooks for our user model: sign-up also stores the name and time zone, and
    account e-mails go through the outbox instead of being sent inside the request."""

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        data = getattr(form, "cleaned_data", {})
        user.name = data.get("name", "") or user.name
        if data.get("timezone"):
            user.timezone = data["timezone"]
        if commit:
            user.save()
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Verification, password reset and every other allauth e-mail: rendered here (by
        allauth's render_mail, with the context allauth's own send_mail gives it), then put
        in the outbox, sent by a worker, retried with backoff while the mail server is down.

        allauth's views write without a transaction of ours, so the row is committed as it is
        written and handed to a worker at once (on_commit=False: inside a transaction too; a
        worker that comes before the commit finds nothing to claim, the sweep comes back)."""
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        with translation.override(self._reader_language(email, ctx.get("user"))):
            message = self.render_mail(template_prefix, email, ctx)
        email_enqueue(message=message, kind=template_prefix, on_commit=False)

    @staticmethod
    def _reader_language(email: str, user) -> str:
        """The language the account behind `email` chose; else the request's (the
        browser's, for someone signing up or asking for a password reset)."""
        chosen = getattr(user, "language", "") if user is not None else ""
        if not chosen:
            chosen = reading_languages([email]).get(email.lower(), "")
        return chosen or translation.get_language() or settings.LANGUAGE_CODE
