from functools import cache

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from .timezones import is_valid_timezone, timezone_names


@cache
def timezone_datalist() -> SafeString:
    """The <datalist> of every zone name, built once per process (some 430 options: a
    template loop over them cost more than the rest of the form)."""
    options = format_html_join("", '<option value="{}"></option>', ((n,) for n in timezone_names()))
    return format_html('<datalist id="timezone-list">{}</datalist>', options)


class TimezoneInput(forms.TextInput):
    """A text box with the IANA zone names as a <datalist>: type "Kol" to find Asia/Kolkata."""

    def __init__(self, attrs=None):
        base = {"list": "timezone-list", "autocomplete": "off", "spellcheck": "false"}
        super().__init__({**base, **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        return format_html(
            "{}\n{}", super().render(name, value, attrs, renderer), timezone_datalist()
        )


class TimezoneField(forms.CharField):
    widget = TimezoneInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("label", _("Time zone"))
        kwargs.setdefault(
            "help_text",
            _(
                "Start typing a city or region, e.g. “Europe/Berlin” or “Kolkata”. Reminders "
                "arrive at sensible hours in this zone."
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value and not is_valid_timezone(value):
            raise forms.ValidationError(
                _("“%(value)s” is not a time zone we know. Pick one from the list."),
                params={"value": value},
            )
        return value


class SignupExtraForm(forms.Form):
    """Extra sign-up fields; allauth's ACCOUNT_SIGNUP_FORM_CLASS mixes them into its form."""

    name = forms.CharField(label=_("Your name"), max_length=150)
    timezone = TimezoneField(required=False, initial="UTC")

    def signup(self, request, user):
        # AccountAdapter.save_user already stored the fields.
        pass


class ProfileForm(forms.Form):
    # A plain form, not a ModelForm: a rejected submission must not touch request.user, whose
    # name the navigation shows on the same page.
    name = forms.CharField(label=_("Your name"), max_length=150, required=False)
    timezone = TimezoneField()
