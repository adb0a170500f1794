"""Forms of the mentoring pages. They check input; the services make the changes."""

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import User
from core.months import parse_month
from goals.templates_catalog import TEMPLATES

from . import selectors
from .csv_import import MAX_UPLOAD_BYTES
from .models import (
    AGREEMENT_FIELDS,
    CHECKIN_FIELDS,
    MEETING_DURATION_MAX,
    MEETING_DURATION_MIN,
    MESSAGE_MAX_LENGTH,
    PROGRAM_PAGE_FIELDS,
    SURVEY_FIELDS,
    Agreement,
    CheckIn,
    GoalsMet,
    JoinPolicy,
    MeetingRule,
    Program,
    Role,
    SurveyKind,
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
        fields = PROGRAM_PAGE_FIELDS
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "join_policy": forms.RadioSelect,
            "agreement_expectations": forms.Textarea(attrs={"rows": 3}),
            "agreement_boundaries": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "slug": _("Letters, digits and hyphens, e.g. “spring-2027”. Unique on this site."),
            "agreement_expectations": _(
                "What a new pairing's agreement says before the pair changes it and accepts it."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal_template_keys"] = goal_templates_field()
        # Left out (an older client, a script): the program keeps its policy, a new one is
        # invite only.
        self.fields["join_policy"].required = False
        self.fields["request_expires_days"].required = False
        self.fields["meeting_rule"].required = False

    def clean_join_policy(self):
        value = self.cleaned_data.get("join_policy")
        if value:
            return value
        return self.instance.join_policy if self.instance.pk else JoinPolicy.INVITE_ONLY

    def clean_request_expires_days(self):
        value = self.cleaned_data.get("request_expires_days")
        if value is not None:
            return value
        return self.instance.request_expires_days if self.instance.pk else 7

    def clean_meeting_rule(self):
        # Left out: the program keeps its rule; a new one takes MENTOR's guidance.
        value = self.cleaned_data.get("meeting_rule")
        if value:
            return value
        return self.instance.meeting_rule if self.instance.pk else MeetingRule.MENTOR


def goal_templates_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_("Goal templates offered to mentees"),
        choices=[(t.key, t.name) for t in TEMPLATES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: mentees see every template."),
    )


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


SCORE_CHOICES = [(n, str(n)) for n in range(1, 6)]
RECOMMEND_CHOICES = [(n, str(n)) for n in range(0, 11)]


class SurveyForm(forms.Form):
    """A survey on the mentorship, rendered with {% crispy %}: each score as one row of radio
    buttons. A close-out also asks about the goals and the program (SURVEY_FIELDS)."""

    match_score = forms.TypedChoiceField(
        label=_("How well is the match working for you? (1 poorly, 5 very well)"),
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    progress_score = forms.TypedChoiceField(
        label=_("How much is it helping you towards your goals? (1 not at all, 5 a lot)"),
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    goals_met = forms.ChoiceField(
        label=_("Did you reach the goals you set out with?"),
        choices=GoalsMet.choices,
        widget=forms.RadioSelect,
    )
    recommend = forms.TypedChoiceField(
        label=_(
            "How likely are you to recommend this program to a friend? (0 not at all, 10 extremely)"
        ),
        choices=RECOMMEND_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything you would like to add?"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    shared = forms.BooleanField(
        label=_("Let the other side of the pair read my answer"),
        help_text=_("The program's admins never see your answer, only totals of three or more."),
        required=False,
    )

    def __init__(self, *args, kind: str = SurveyKind.PULSE, **kwargs):
        super().__init__(*args, **kwargs)
        asked = SURVEY_FIELDS[kind]
        for name in list(self.fields):
            if name not in asked:
                del self.fields[name]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            *(
                InlineRadios(name)
                if name in ("match_score", "progress_score", "goals_met", "recommend")
                else name
                for name in asked
            )
        )


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
    # The outcomes report's links: mentees who joined in these months, ever paired or not.
    joined_from = forms.CharField(required=False, max_length=7)
    joined_to = forms.CharField(required=False, max_length=7)
    matched = forms.ChoiceField(
        required=False, choices=[("", ""), ("yes", _("Ever paired")), ("no", _("Never paired"))]
    )

    def clean(self):
        data = super().clean()
        for name in ("joined_from", "joined_to"):
            data[name] = _month_of(self, name, data.get(name))
        return data


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


class MentorRequestForm(forms.Form):
    """A mentee asks one of her suggested mentors (mentorship.services.mentor_request_create).
    `choices`: the mentors she may ask now, as (membership uuid, name)."""

    mentor = forms.ChoiceField(label=_("Mentor"), choices=())
    message = forms.CharField(
        label=_("A few words to the mentor (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you hope to work on together, and why you chose them."),
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].choices = list(choices)


class MentorRequestDeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional, sent to the mentee)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- Meetings -------------------------------------------------------------------------------


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's date and time picker; the value is the person's own wall clock (the
    request's time zone is theirs: accounts.middleware)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class MeetingTimesForm(forms.Form):
    """One to three candidate times, a duration and a place or video link. Times are read
    in the person's own time zone."""

    time_1 = forms.DateTimeField(label=_("Time 1"), widget=DateTimeLocalInput())
    time_2 = forms.DateTimeField(
        label=_("Time 2 (optional)"), required=False, widget=DateTimeLocalInput()
    )
    time_3 = forms.DateTimeField(
        label=_("Time 3 (optional)"), required=False, widget=DateTimeLocalInput()
    )
    duration = forms.IntegerField(
        label=_("Length (minutes)"),
        min_value=MEETING_DURATION_MIN,
        max_value=MEETING_DURATION_MAX,
        initial=45,
    )
    location = forms.CharField(
        label=_("Place or video link"),
        max_length=500,
        required=False,
        help_text=_("A room, a café, or the address of a video call."),
    )

    def clean(self):
        data = super().clean()
        data["candidate_times"] = [
            data[name] for name in ("time_1", "time_2", "time_3") if data.get(name)
        ]
        return data


class MeetingPickForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Time"), widget=forms.HiddenInput)


class AgendaItemForm(forms.Form):
    text = forms.CharField(label=_("Agenda point"), max_length=300)


ACTION_ROWS = 3


class MeetingLogForm(forms.Form):
    """Log a meeting: the notes (the agenda to start with) and up to three action items,
    each with an owner (one of the pair) and a due date."""

    occurred_on = forms.DateField(label=_("Date of the meeting"), widget=DateInput())
    summary = forms.CharField(
        label=_("Notes"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )
    next_steps = forms.CharField(
        label=_("Anything else for next time"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, pairing, **kwargs):
        super().__init__(*args, **kwargs)
        owners = [("", "—")]
        if pairing.mentee_id is not None:
            owners.append((str(pairing.mentee_id), pairing.mentee_name))
        if pairing.mentor_id is not None:
            owners.append((str(pairing.mentor_id), pairing.mentor_name))
        for n in range(1, ACTION_ROWS + 1):
            self.fields[f"action_{n}_title"] = forms.CharField(
                label=_("What"), max_length=300, required=False
            )
            self.fields[f"action_{n}_owner"] = forms.TypedChoiceField(
                label=_("Who does it"), choices=owners, coerce=int, empty_value=None, required=False
            )
            self.fields[f"action_{n}_due"] = forms.DateField(
                label=_("Due on"), required=False, widget=DateInput()
            )
        # Each action item on one row on a wide screen (its title, who does it, when).
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "occurred_on",
            "summary",
            "next_steps",
            *(
                Fieldset(
                    _("Action item %(n)d") % {"n": n},
                    Row(
                        Column(f"action_{n}_title", css_class="col-md-6"),
                        Column(f"action_{n}_owner", css_class="col-md-3"),
                        Column(f"action_{n}_due", css_class="col-md-3"),
                    ),
                )
                for n in range(1, ACTION_ROWS + 1)
            ),
        )

    def clean(self):
        data = super().clean()
        items = []
        for n in range(1, ACTION_ROWS + 1):
            title = (data.get(f"action_{n}_title") or "").strip()
            owner = data.get(f"action_{n}_owner")
            if not title:
                continue
            if owner is None:
                self.add_error(f"action_{n}_owner", _("Say who does it."))
                continue
            items.append({"title": title, "owner": owner, "due_on": data.get(f"action_{n}_due")})
        data["action_items"] = items
        return data


def reference_choices(references, meetings=()) -> list:
    """The "about" choices of a message (selectors.conversation_references and
    conversation_meetings): nothing in particular, the pair's latest meetings, then each goal
    with its milestones, grouped by goal."""
    choices: list = [("", _("Nothing in particular"))]
    if meetings:
        choices.append(
            (
                _("Meetings"),
                [(f"meeting:{m.uuid}", selectors.meeting_label(m)) for m in meetings],
            )
        )
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

    def __init__(self, *args, references=(), meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["about"].choices = reference_choices(references, meetings)
        if not references and not meetings:
            del self.fields["about"]


class MessageEditForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MESSAGE_MAX_LENGTH}),
    )


# --- Cohorts ----------------------------------------------------------------------------------


class CohortEndForm(forms.Form):
    """Ending a cohort (mentorship.cohorts.program_end): the reason each pairing's record and
    notices give."""

    reason = forms.CharField(
        label=_("Reason given to every pair"),
        max_length=500,
        help_text=_("Shown on each pairing's record and in the notices."),
    )


class NextCohortForm(forms.Form):
    """Starting the next cohort (mentorship.cohorts.program_start_next). The rules of a
    program (unique short name, dates in order) are the service's."""

    name = forms.CharField(label=_("Name"), max_length=120)
    slug = forms.SlugField(
        label=_("Short name"),
        max_length=60,
        help_text=_("Letters, digits and hyphens, e.g. “spring-2027”. Unique on this site."),
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput(), required=False)

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The program cannot end before it starts."))


# --- The outcomes report and the lists it links to ------------------------------------------


def _month_of(form: forms.Form, name: str, text):
    """The month "YYYY-MM" of field `name` as its first day; a field error when it is not one."""
    if not text:
        return None
    month = parse_month(text)
    if month is None:
        form.add_error(name, _("Give a month as YYYY-MM, e.g. 2026-03."))
    return month


class MonthInput(forms.TextInput):
    """A month picker where the browser has one; YYYY-MM typed in elsewhere."""

    input_type = "month"


class CohortForm(forms.Form):
    """Pairings that started from one month to another (both included), GET."""

    started_from = forms.CharField(
        label=_("Pairings started from"),
        required=False,
        max_length=7,
        widget=MonthInput(attrs={"placeholder": pgettext_lazy("how to type a month", "YYYY-MM")}),
    )
    started_to = forms.CharField(
        label=_("Started until (month, included)"),
        required=False,
        max_length=7,
        widget=MonthInput(attrs={"placeholder": pgettext_lazy("how to type a month", "YYYY-MM")}),
    )

    def clean(self):
        data = super().clean()
        first = _month_of(self, "started_from", data.get("started_from"))
        last = _month_of(self, "started_to", data.get("started_to"))
        if first and last and first > last:
            self.add_error("started_to", _("The last month comes before the first."))
        data["started_from"], data["started_to"] = first, last
        return data


PAIRING_STATES = [
    ("", _("All")),
    ("started", _("Started")),
    ("running", _("Running (active or paused)")),
    ("active", _("Active")),
    ("closed", _("Completed or ended")),
]


class PairingListFilterForm(CohortForm):
    """The program's pairings list: the cohort and what the report's figures count."""

    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=PAIRING_STATES,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    premature = forms.ChoiceField(
        label=_("Ended early"),
        required=False,
        choices=[("", _("Any")), ("yes", _("Ended within 3 months"))],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    meeting = forms.ChoiceField(
        label=_("Meeting rule"),
        required=False,
        choices=[("", _("Any")), ("meets", _("Meets it")), ("below", _("Below it"))],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    reason = forms.CharField(label=_("End reason"), required=False, max_length=500)
    # Running at some time in this month (YYYY-MM): a by-month row of the report.
    running_in = forms.CharField(required=False, max_length=7)

    def clean(self):
        data = super().clean()
        data["running_in"] = _month_of(self, "running_in", data.get("running_in"))
        return data


# --- Nudges ---------------------------------------------------------------------------------

NUDGE_DAYS_MAX = 365


class NudgeMessageForm(forms.Form):
    """An admin's nudge by hand about one open occasion (mentorship.nudges.nudge_send)."""

    occasion = forms.CharField(widget=forms.HiddenInput, max_length=200)
    message = forms.CharField(
        label=_("Personal message"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 1000}),
    )


class NudgeSnoozeForm(forms.Form):
    occasion = forms.CharField(widget=forms.HiddenInput, max_length=200)
    days = forms.IntegerField(label=_("Snooze for (days)"), min_value=1, max_value=90, initial=7)


class NudgeRulesForm(forms.Form):
    """The program's nudge rules: each on or off, with its days (mentorship.nudges)."""

    def __init__(self, *args, rules: dict, defaults: dict, labels: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.rule_names = list(defaults)
        self.rows = []
        for rule in self.rule_names:
            setting = rules[rule]
            self.fields[f"{rule}_on"] = forms.BooleanField(
                label=_("On"), required=False, initial=setting.is_on
            )
            self.fields[f"{rule}_first"] = forms.IntegerField(
                label=_("First step after (days)"),
                min_value=1,
                max_value=NUDGE_DAYS_MAX,
                initial=setting.first,
            )
            names = [f"{rule}_on", f"{rule}_first"]
            if defaults[rule][1] is not None:
                self.fields[f"{rule}_second"] = forms.IntegerField(
                    label=_("Second step after (days)"),
                    min_value=1,
                    max_value=NUDGE_DAYS_MAX,
                    initial=setting.second,
                )
                names.append(f"{rule}_second")
            self.rows.append((rule, labels[rule], names))

    def clean(self):
        data = super().clean()
        for rule in self.rule_names:
            first, second = data.get(f"{rule}_first"), data.get(f"{rule}_second")
            if f"{rule}_second" in self.fields and first and second and second <= first:
                self.add_error(f"{rule}_second", _("The second step must come after the first."))
        return data

    def settings(self) -> dict[str, dict]:
        data = self.cleaned_data
        return {
            rule: {
                "is_on": data.get(f"{rule}_on", False),
                "first": data.get(f"{rule}_first"),
                "second": data.get(f"{rule}_second"),
            }
            for rule in self.rule_names
        }
