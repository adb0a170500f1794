from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from .kinds import Kind
from .models import HOUR_CHOICES, FeedbackMode, Weekday

NO_QUIET_HOURS = [("", _("No quiet hours"))]


def _optional_hour(value):
    return None if value in ("", None) else int(value)


class PreferencesForm(forms.Form):
    enabled_kinds = forms.MultipleChoiceField(
        label=_("Tell me about"),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Switched off means neither an e-mail nor an inbox entry."),
    )
    digest_weekday = forms.TypedChoiceField(
        label=_("Weekly digest day"), choices=Weekday.choices, coerce=int
    )
    digest_hour = forms.TypedChoiceField(
        label=_("Weekly digest time"),
        choices=HOUR_CHOICES,
        coerce=int,
        help_text=_("In your own time zone."),
    )
    feedback_mode = forms.ChoiceField(
        label=_("Feedback and acknowledgements"),
        choices=FeedbackMode.choices,
        widget=forms.RadioSelect,
    )
    quiet_hours_start = forms.TypedChoiceField(
        label=_("Quiet hours from"),
        choices=NO_QUIET_HOURS + HOUR_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )
    quiet_hours_end = forms.TypedChoiceField(
        label=_("Quiet hours until"),
        choices=NO_QUIET_HOURS + HOUR_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("No e-mail arrives in these hours; it waits until they end."),
    )

    def __init__(self, *args, kinds: list[str] | None = None, **kwargs):
        """`kinds`: the kinds offered (notifications.kinds.kinds_for_roles), all by default."""
        super().__init__(*args, **kwargs)
        if kinds is not None:
            self.fields["enabled_kinds"].choices = [c for c in Kind.choices if c[0] in kinds]
        self.helper = FormHelper()
        self.helper.form_tag = False
        # Day and time side by side, quiet hours from and until side by side; stacked on a
        # phone (col-sm).
        self.helper.layout = Layout(
            Field("enabled_kinds"),
            Row(
                Column("digest_weekday", css_class="col-sm-6"),
                Column("digest_hour", css_class="col-sm-6"),
            ),
            Field("feedback_mode"),
            Row(
                Column("quiet_hours_start", css_class="col-sm-6"),
                Column("quiet_hours_end", css_class="col-sm-6"),
            ),
        )

    @classmethod
    def initial_from(cls, prefs) -> dict:
        return {
            "enabled_kinds": [k for k in Kind.values if k not in prefs.muted_kinds],
            "digest_weekday": prefs.digest_weekday,
            "digest_hour": prefs.digest_hour,
            "feedback_mode": prefs.feedback_mode,
            "quiet_hours_start": prefs.quiet_hours_start,
            "quiet_hours_end": prefs.quiet_hours_end,
        }

    def clean(self):
        data = super().clean()
        start, end = data.get("quiet_hours_start"), data.get("quiet_hours_end")
        if (start is None) != (end is None):
            raise forms.ValidationError(
                _("Choose both the start and the end of your quiet hours, or neither.")
            )
        if start is not None and start == end:
            raise forms.ValidationError(
                _("Quiet hours must end at a different time than they start.")
            )
        return data
