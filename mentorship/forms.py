"""Forms of the mentoring pages. They check input; the services make the changes."""

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from . import selectors
from .csv_import import MAX_UPLOAD_BYTES
from .models import (
    AGREEMENT_FIELDS,
    CHECKIN_FIELDS,
    MESSAGE_MAX_LENGTH,
    PROGRAM_FIELDS,
    Agreement,
    CheckIn,
    JoinPolicy,
    Program,
    Role,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ProgramForm(forms.ModelForm):
    """A program's settings. Its rules (dates in order, numbers of at least 1, a unique short
    name) are Program.clean()'s and the unique field's, which a ModelForm runs: the API's
    service calls run the same ones."""

    class Meta:
        model = Program
        fields = PROGRAM_FIELDS
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "join_policy": forms.RadioSelect,
        }
        help_texts = {
            "slug": _("Letters, digits and hyphens, e.g. “spring-2027”. Unique on this site."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left out (an older client, a script): the program keeps its policy, a new one is
        # invite only.
        self.fields["join_policy"].required = False

    def clean_join_policy(self):
        value = self.cleaned_data.get("join_policy")
        if value:
            return value
        return self.instance.join_policy if self.instance.pk else JoinPolicy.INVITE_ONLY


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    name = forms.CharField(label=_("Name (optional)"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MENTEE)
    message = forms.CharField(
        label=_("Personal message (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown in the e-mail and on the invitation's page."),
    )


class CSVUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 text, comma-separated, with a header line. At most 5 MB."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


class PeopleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name} <{obj.email}>"


class PairingForm(forms.Form):
    mentor = PeopleChoiceField(
        label=_("Mentor"), queryset=User.objects.none(), to_field_name="uuid"
    )
    mentee = PeopleChoiceField(
        label=_("Mentee"), queryset=User.objects.none(), to_field_name="uuid"
    )

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = selectors.people_in_role(program, Role.MENTOR)
        self.fields["mentee"].queryset = selectors.people_in_role(program, Role.MENTEE)

    def clean(self):
        data = super().clean()
        if data.get("mentor") and data.get("mentor") == data.get("mentee"):
            raise forms.ValidationError(_("A person cannot mentor themselves."))
        return data


class ReassignForm(forms.Form):
    new_mentor = PeopleChoiceField(
        label=_("New mentor"), queryset=User.objects.none(), to_field_name="uuid"
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)

    def __init__(self, *args, pairing, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_mentor"].queryset = selectors.people_in_role(
            pairing.program, Role.MENTOR
        ).exclude(pk=pairing.mentor_id)


class EndForm(forms.Form):
    reason = forms.CharField(
        label=_("Why does the pairing end?"),
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. the mentee changed teams")}),
    )


class AgreementForm(forms.ModelForm):
    class Meta:
        model = Agreement
        fields = AGREEMENT_FIELDS
        widgets = {
            "expectations": forms.Textarea(attrs={"rows": 4}),
            "boundaries": forms.Textarea(attrs={"rows": 3}),
        }


class CheckInForm(forms.ModelForm):
    """A meeting of the pair; CheckIn.clean() (not in the future) runs here as in the service."""

    class Meta:
        model = CheckIn
        fields = CHECKIN_FIELDS
        widgets = {
            "occurred_on": DateInput(),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "next_steps": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        if kwargs.get("instance") is None:
            kwargs.setdefault("initial", {}).setdefault("occurred_on", timezone.localdate())
        super().__init__(*args, **kwargs)


RATING_CHOICES = [(n, str(n)) for n in range(1, 6)]


class FeedbackForm(forms.Form):
    """Rendered with {% crispy %}: the rating as one row of radio buttons."""

    rating = forms.TypedChoiceField(
        label=_("How is the mentorship going? (1 poor, 5 excellent)"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    shared_with_partner = forms.BooleanField(
        label=_("Let the other side of the pair read this"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(InlineRadios("rating"), "comment", "shared_with_partner")


PAIRED_CHOICES = [("", _("Paired or not")), ("yes", _("Paired")), ("no", _("Not paired"))]


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    role = forms.ChoiceField(
        label=_("Role"),
        required=False,
        choices=[("", _("All roles")), *Role.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    paired = forms.ChoiceField(
        label=_("Pairing"),
        required=False,
        choices=PAIRED_CHOICES,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


def show_service_error(form: forms.Form, error) -> None:
    """Put a service's error (core.errors.ServiceError) on the form: each message on its
    field, or on the form as a whole for a field the form does not have."""
    for name, messages in error.errors.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


class MemberForm(forms.Form):
    """An admin's correction of a member (mentorship.services.membership_update)."""

    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    capacity = forms.IntegerField(
        label=_("Capacity"),
        min_value=0,
        max_value=50,
        help_text=_("Mentors: the most mentees at once."),
    )
    skills = forms.CharField(
        label=_("Skills (what they offer)"),
        max_length=500,
        required=False,
        help_text=_("Separated by commas or semicolons."),
    )
    interests = forms.CharField(
        label=_("Interests (what they want to learn)"), max_length=500, required=False
    )


class MemberRemoveForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this member removed?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Their open pairings end with this reason; the member is told."),
    )


APPLY_ROLE_CHOICES = [
    (Role.MENTEE, _("Mentee: I want to learn and grow with a mentor")),
    (Role.MENTOR, _("Mentor: I want to help someone else grow")),
]


class ApplicationForm(forms.Form):
    """A person's application to join a program (mentorship.services.application_submit)."""

    role = forms.ChoiceField(
        label=_("Join as"),
        choices=APPLY_ROLE_CHOICES,
        initial=Role.MENTEE,
        widget=forms.RadioSelect,
    )
    message = forms.CharField(
        label=_("What do you hope to get out of it?"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A few sentences for the program's admins."),
    )
    skills = forms.CharField(
        label=_("Skills you can offer"),
        max_length=500,
        required=False,
        help_text=_("Separated by commas, e.g. “python, public speaking”."),
    )
    interests = forms.CharField(
        label=_("What you want to learn"),
        max_length=500,
        required=False,
        help_text=_("Separated by commas, e.g. “leadership, career change”."),
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional, sent to the applicant)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CapacityForm(forms.Form):
    """A mentor's own capacity in one program (mentorship.services.membership_capacity_set)."""

    capacity = forms.IntegerField(
        label=_("How many mentees can you take at once?"),
        min_value=0,
        max_value=50,
        help_text=_("0 means none for now. You can change it at any time."),
    )


def reference_choices(references) -> list:
    """The "about" choices of a message (selectors.conversation_references): nothing in
    particular, then each goal with its milestones, grouped by goal."""
    choices: list = [("", _("Nothing in particular"))]
    for ref in references:
        group = [(f"goal:{ref.goal_uuid}", _("The goal “%(goal)s”") % {"goal": ref.goal_title})]
        group += [
            (f"milestone:{uuid}", _("Milestone: %(title)s") % {"title": title})
            for uuid, title in ref.milestones
        ]
        choices.append((ref.goal_title, group))
    return choices


class MessageForm(forms.Form):
    """A message of the pair's conversation; the service checks what it points at."""

    body = forms.CharField(
        label=_("Message"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MESSAGE_MAX_LENGTH}),
    )
    about = forms.ChoiceField(label=_("About (optional)"), required=False, choices=())

    def __init__(self, *args, references=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["about"].choices = reference_choices(references)
        if not references:
            del self.fields["about"]


class MessageEditForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MESSAGE_MAX_LENGTH}),
    )
