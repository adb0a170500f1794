from functools import cache

from django import forms
from django.conf import settings
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from .languages import LANGUAGES
from .models import MAX_HOURS_PER_MONTH, PROFILE_FIELDS, MeetingTime
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


class BrowserTimezoneInput(forms.HiddenInput):
    """A hidden field that static/js/site.js fills with the browser's own zone
    (Intl.DateTimeFormat().resolvedOptions().timeZone)."""

    def __init__(self, attrs=None):
        super().__init__({"data-browser-timezone": "", **(attrs or {})})


class SignupExtraForm(forms.Form):
    """Extra sign-up fields; allauth's ACCOUNT_SIGNUP_FORM_CLASS mixes them into its form.
    The time zone is the browser's, sent in a hidden field; a value we do not know (no
    script, an old browser, a forged form) is stored as UTC, to be set on the profile."""

    name = forms.CharField(label=_("Your name"), max_length=150)
    # No max_length: an over-long value is not an error to show on a hidden field.
    timezone = forms.CharField(required=False, initial="", widget=BrowserTimezoneInput)

    def clean_timezone(self) -> str:
        value = (self.cleaned_data.get("timezone") or "").strip()
        return value if value and is_valid_timezone(value) else "UTC"

    def signup(self, request, user):
        # AccountAdapter.save_user already stored the fields.
        pass


class TagsInput(forms.TextInput):
    """A comma-separated list of tags with suggestions: a <datalist> of `vocabulary`, which
    static/js/site.js completes tag by tag (the last one typed); any other tag is allowed."""

    def __init__(self, attrs=None, vocabulary=()):
        super().__init__({"autocomplete": "off", **(attrs or {})})
        self.vocabulary = list(vocabulary)

    def render(self, name, value, attrs=None, renderer=None):
        list_id = f"{name}-suggestions"
        attrs = {**(attrs or {}), "list": list_id, "data-tags": list_id}
        options = format_html_join(
            "", '<option value="{}"></option>', ((t,) for t in self.vocabulary)
        )
        return format_html(
            '{}\n<datalist id="{}">{}</datalist>',
            super().render(name, value, attrs, renderer),
            list_id,
            options,
        )


def _tags_field(label, help_text):
    return forms.CharField(
        label=label, max_length=500, required=False, help_text=help_text, widget=TagsInput
    )


class ProfileForm(forms.Form):
    """The signed-in person's profile page: name and time zone (on the user) and the
    profile's fields (PROFILE_FIELDS, accounts.services.update_profile)."""

    # A plain form, not a ModelForm: a rejected submission must not touch request.user, whose
    # name the navigation shows on the same page.
    name = forms.CharField(label=_("Your name"), max_length=150, required=False)
    timezone = TimezoneField()
    language = forms.ChoiceField(
        label=_("Language of the site and your e-mails"),
        choices=[("", _("As my browser asks"))] + list(settings.LANGUAGES),
        required=False,
    )
    headline = forms.CharField(
        label=_("Headline"),
        max_length=120,
        required=False,
        help_text=_("One line, e.g. “Backend engineer, 6 years, moving into team lead”."),
    )
    bio = forms.CharField(
        label=_("Short bio"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    offers = _tags_field(_("What you can offer"), _("Skills and experience, separated by commas."))
    wants = _tags_field(_("What you want to learn"), _("Separated by commas."))
    languages = forms.MultipleChoiceField(
        label=_("Languages you speak"),
        choices=LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    hours_per_month = forms.IntegerField(
        label=_("Hours a month you can give"),
        min_value=0,
        max_value=MAX_HOURS_PER_MONTH,
        required=False,
    )
    meeting_times = forms.MultipleChoiceField(
        label=_("Preferred meeting times"),
        choices=MeetingTime.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("In your own time zone."),
    )
    link = forms.URLField(
        label=_("Link"),
        max_length=300,
        required=False,
        assume_scheme="https",
        help_text=_("LinkedIn, a personal site or a portfolio."),
    )
    pronouns = forms.CharField(label=_("Pronouns"), max_length=40, required=False)

    def __init__(self, *args, vocabulary=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("offers", "wants"):
            self.fields[name].widget.vocabulary = list(vocabulary)

    def profile_values(self) -> dict:
        """The cleaned profile fields, by PROFILE_FIELDS (for update_profile)."""
        return {name: self.cleaned_data[name] for name in PROFILE_FIELDS}


class UseTimezoneForm(forms.Form):
    """The profile page's "Use <zone>?" offer: the browser's zone, one click."""

    timezone = TimezoneField()
