"""The pages' forms. They parse what a browser sends and lay it out; the rules an entity must
follow are goals.services' (goal_rules_broken, milestone_validate, ...), called from clean()
so that a page shows the same message on the same field as the API answers."""

from decimal import Decimal

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput
from core.months import parse_month

from . import services
from .models import (
    COMMENT_FIELDS,
    EARLIEST_DATE,
    GOAL_FIELDS,
    MILESTONE_FIELDS,
    PROGRESS_UPDATE_FIELDS,
    Comment,
    Goal,
    GoalStatus,
    Milestone,
    MilestoneKind,
    ProgressUpdate,
    Visibility,
    latest_date,
)
from .progress import ACTIVE_HEALTHS, Health
from .services import MAX_MILESTONES_AT_CREATION

NUMBER_ERROR = services.NOT_A_NUMBER


def _add_rule_errors(form: forms.BaseForm, errors: dict) -> None:
    """Show the broken rules (messages by field, None: the form as a whole) on the form."""
    for field, messages in errors.items():
        name = field if field in form.fields else None
        for message in messages:
            form.add_error(name, message)


def _apply(form: forms.BaseForm, rule, **kwargs) -> None:
    try:
        rule(**kwargs)
    except InvalidInput as error:
        _add_rule_errors(form, error.errors)


class FriendlyDecimalField(forms.DecimalField):
    """Accepts a decimal comma ("3,5") and says plainly what a number looks like."""

    default_error_messages = {
        "invalid": NUMBER_ERROR,
        "max_digits": services.TOO_MANY_DIGITS,
        "max_decimal_places": services.TOO_MANY_DECIMALS,
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(" ", "")
            if value.count(",") == 1 and "." not in value:
                value = value.replace(",", ".")
        return super().to_python(value)


def _text_direction_auto(form: forms.BaseForm) -> None:
    """Right-to-left text (Arabic, Hebrew) shows the right way round as it is typed."""
    for field in form.fields.values():
        if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.HiddenInput):
            field.widget.attrs.setdefault("dir", "auto")


def _limit_help(field: forms.Field, help_text: str = "") -> str:
    """Append the length limit to the help text: limits are stated on the form."""
    limit = getattr(field, "max_length", None)
    if not limit:
        return help_text
    stated = _("Up to %(n)d characters.") % {"n": limit}
    return f"{help_text} {stated}".strip()


# Bootstrap's class for each kind of widget (what crispy-forms gave them).
_WIDGET_CLASSES = {
    forms.RadioSelect: "form-check-input",
    forms.CheckboxInput: "form-check-input",
    forms.Select: "form-select",
}


def _e(value) -> str:
    """What `{{ value|stringformat:'s' }}` writes (autoescaped)."""
    return conditional_escape(str(value))


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {name}" if value is True else f' {name}="{_e(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    """django/forms/widgets/input.html (text, number, date, checkbox, hidden, a radio)."""
    value = "" if widget["value"] is None else f' value="{_e(widget["value"])}"'
    name, attrs = _e(widget["name"]), _attrs(widget["attrs"])
    return f'<input type="{widget["type"]}" name="{name}"{value}{attrs}>'


def _textarea(widget: dict) -> str:
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    name, attrs = _e(widget["name"]), _attrs(widget["attrs"])
    return f'<textarea name="{name}"{attrs}>\n{value}</textarea>'


def _select(widget: dict) -> str:
    options = "".join(
        f'\n  <option value="{_e(option["value"])}"{_attrs(option["attrs"])}>'
        f"{conditional_escape(option['label'])}</option>"
        for _group, choices, _index in widget["optgroups"]
        for option in choices
    )
    return f'<select name="{_e(widget["name"])}"{_attrs(widget["attrs"])}>{options}\n</select>'


def _input_option(widget: dict) -> str:
    if not widget.get("wrap_label"):
        return _input(widget)
    target = f' for="{_e(widget["attrs"]["id"])}"' if widget["attrs"].get("id") else ""
    return f"<label{target}>{_input(widget)} {conditional_escape(widget['label'])}</label>"


class GoalPageFormRenderer(TemplatesSetting):
    """The site's form renderer, with the few widgets of the goal page's forms written in
    Python: Django renders each through two or three templates, which cost more than the
    rest of the page's forms. The markup is Django's own (forms/widgets/*.html); any other
    template goes to the templates as usual."""

    WIDGETS = {
        "django/forms/widgets/text.html": _input,
        "django/forms/widgets/number.html": _input,
        "django/forms/widgets/date.html": _input,
        "django/forms/widgets/checkbox.html": _input,
        "django/forms/widgets/hidden.html": _input,
        "django/forms/widgets/textarea.html": _textarea,
        "django/forms/widgets/select.html": _select,
        "django/forms/widgets/radio_option.html": _input_option,
    }

    def render(self, template_name, context, request=None):
        fast = self.WIDGETS.get(template_name)
        if fast is not None:
            return mark_safe(fast(context["widget"]))  # noqa: S308 - every value is escaped
        return super().render(template_name, context, request=request)


class PlainForm:
    """A goal page form rendered by templates/goals/_form.html in one pass (`{{ form }}`):
    the widgets carry Bootstrap's classes, and `is-invalid` once the field has an error."""

    template_name = "goals/_form.html"
    default_renderer = GoalPageFormRenderer

    def _style_widgets(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if widget.is_hidden:
                continue
            css = next(
                (c for kind, c in _WIDGET_CLASSES.items() if isinstance(widget, kind)),
                "form-control",
            )
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def _date_bounds(form: forms.Form, *names: str) -> None:
    """The browser's date picker offers only the dates the rule allows (goals.models); the
    services check them again for whatever the browser lets through."""
    bounds = {"min": EARLIEST_DATE.isoformat(), "max": latest_date().isoformat()}
    for name in names:
        if name in form.fields:
            form.fields[name].widget.attrs.update(bounds)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class GoalForm(forms.ModelForm):
    """The guided form. Its sections (Specific, Measurable, ...) are laid out in
    templates/goals/goal_form.html with help and an example each."""

    milestones = forms.CharField(
        label=_("First milestones"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, at most %(n)d. You can add, reorder and date them later.")
        % {"n": MAX_MILESTONES_AT_CREATION},
        max_length=2000,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Goal
        fields = list(GOAL_FIELDS)
        field_classes = {
            "baseline_value": FriendlyDecimalField,
            "target_value": FriendlyDecimalField,
        }
        widgets = {
            "specific": forms.Textarea(attrs={"rows": 3}),
            "achievable": forms.Textarea(attrs={"rows": 2}),
            "relevant": forms.Textarea(attrs={"rows": 2}),
            "starts_on": DateInput(),
            "target_date": DateInput(),
            "visibility": forms.RadioSelect,
        }
        labels = {
            "title": _("Goal"),
            "specific": _("What exactly will you do?"),
            "metric_name": _("What will you count or measure?"),
            "baseline_value": _("Where you start"),
            "target_value": _("Target"),
            "achievable": _("Why is it within reach?"),
            "relevant": _("Why does it matter to you?"),
            "target_date": _("Target date"),
        }
        help_texts = {
            "title": _("The result, in one line."),
            "metric_name": _("e.g. practice runs, features shipped, response time."),
            "unit": _("e.g. runs, features, ms."),
            "baseline_value": _("Your value today."),
            "target_value": _("Lower than the start is fine: “reduce from 800 to 200 ms”."),
        }
        error_messages = {
            "title": {"required": _("Give the goal a title.")},
        }

    def __init__(self, *args, visibility_sentences: dict | None = None, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.creating = creating
        if not creating:
            del self.fields["milestones"]
            self.fields["version"].required = True
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]
        self.fields["target_date"].required = False
        _date_bounds(self, "starts_on", "target_date")
        for name, field in self.fields.items():
            if isinstance(field, forms.CharField):
                field.help_text = _limit_help(field, str(field.help_text or ""))
            if name in ("baseline_value", "target_value"):
                field.error_messages.update(FriendlyDecimalField.default_error_messages)
        # The form's "Who can see it" section names the group; no second label inside it.
        self.fields["visibility"].label = ""
        if visibility_sentences:
            self.fields["visibility"].choices = [
                (value, f"{label} — {visibility_sentences[value]}")
                for value, label in Visibility.choices
            ]
        _text_direction_auto(self)

    def clean(self):
        data = super().clean()
        fields = {name: data[name] for name in GOAL_FIELDS if name in data}
        titles = None
        if self.creating and "milestones" in data:
            titles = data["milestones"].splitlines()
        _add_rule_errors(self, services.goal_rules_broken(fields, milestone_titles=titles))
        return data

    @property
    def milestone_titles(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("milestones", "").splitlines()]


class MilestoneForm(PlainForm, forms.ModelForm):
    class Meta:
        model = Milestone
        fields = list(MILESTONE_FIELDS)
        widgets = {"due_on": DateInput()}
        labels = {"title": _("New milestone or action step"), "kind": _("Kind")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["title"].label = _("Title")
        self.fields["title"].help_text = _limit_help(self.fields["title"])
        self.fields["kind"].initial = MilestoneKind.MILESTONE
        _date_bounds(self, "due_on")
        _text_direction_auto(self)
        self._style_widgets()

    def clean(self):
        data = super().clean()
        if not self.errors:
            _apply(self, services.milestone_validate, **data)
        return data


class StepForm(PlainForm, forms.ModelForm):
    """A weekly action step: in a week of the plan, a range of weeks, or every week until a
    date (goals.weeks)."""

    class Meta:
        model = Milestone
        fields = list(services.STEP_FIELDS)
        widgets = {"due_on": DateInput(), "repeats_until": DateInput()}
        labels = {"title": _("Weekly action step"), "due_on": _("Due on (optional)")}

    def __init__(self, *args, goal: Goal, **kwargs):
        super().__init__(*args, **kwargs)
        self.goal = goal
        self.fields["title"].help_text = _limit_help(self.fields["title"])
        self.fields["week_from"].help_text = _(
            "Week 1 is the week the goal starts in (%(start)s). Leave the weeks empty for a "
            "step of every week."
        ) % {"start": goal.starts_on.isoformat()}
        self.fields["week_to"].help_text = _("For a range of weeks, e.g. weeks 2 to 3.")
        self.fields["repeats_until"].help_text = _("Or: repeat the step every week until then.")
        for name in ("week_from", "week_to"):
            self.fields[name].widget.attrs.update(min=1, max=services.LONGEST_PLAN_WEEKS)
        _date_bounds(self, "due_on")
        _date_bounds(self, "repeats_until")
        _text_direction_auto(self)
        self._style_widgets()

    def clean(self):
        data = super().clean()
        if not self.errors:
            _apply(self, services.step_validate, goal=self.goal, fields=dict(data))
        return data


CONFIDENCE_CHOICES = [
    (1, _("1 · Stuck")),
    (2, _("2 · Unsure")),
    (3, _("3 · Okay")),
    (4, _("4 · Confident")),
    (5, _("5 · Very confident")),
]


class ProgressUpdateForm(PlainForm, forms.ModelForm):
    value = FriendlyDecimalField(max_digits=14, decimal_places=2, required=False)
    confidence = forms.TypedChoiceField(
        label=_("How confident are you of reaching the goal?"),
        choices=CONFIDENCE_CHOICES,
        coerce=int,
        initial=3,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = ProgressUpdate
        fields = list(PROGRESS_UPDATE_FIELDS)
        widgets = {"note": forms.Textarea(attrs={"rows": 3}), "occurred_on": DateInput()}
        labels = {"note": _("What happened?"), "occurred_on": _("For the day")}

    def __init__(self, *args, goal: Goal, **kwargs):
        super().__init__(*args, **kwargs)
        self.goal = goal
        self.fields["note"].help_text = _limit_help(self.fields["note"])
        today = services.mentee_today(goal)
        occurred_on = self.fields["occurred_on"]
        if self.instance.pk is None:
            # Left empty, a new update is for today (goals.services.progress_update_log).
            occurred_on.initial = today
            occurred_on.required = False
        occurred_on.help_text = _(
            "Today, or an earlier day you are logging late (from %(start)s)."
        ) % {"start": goal.starts_on.isoformat()}
        occurred_on.widget.attrs.update(min=goal.starts_on.isoformat(), max=today.isoformat())
        if self.instance.pk is not None and self.instance.value is not None:
            self.initial["value"] = _decimal_text(self.instance.value)  # 3, not 3.00
        if goal.has_metric:
            self.fields["value"].label = _("New value of “%(metric)s”") % {
                "metric": goal.metric_name or _("the metric")
            }
            if goal.unit:
                # The unit is the mentee's text: escaped here, so the help text is markup that
                # any renderer (crispy shows help texts unescaped) shows as written.
                self.fields["value"].help_text = format_html(
                    _("In {unit}. The last value was {v}."),
                    unit=goal.unit,
                    v=_decimal_text(goal.current_value),
                )
        else:
            del self.fields["value"]
        _text_direction_auto(self)
        self._style_widgets()

    def clean(self):
        data = super().clean()
        if not self.errors:
            _apply(
                self,
                services.progress_update_validate,
                goal=self.goal,
                value=data.get("value"),
                note=data.get("note", ""),
                confidence=data.get("confidence"),
                occurred_on=data.get("occurred_on"),
            )
        return data


def _decimal_text(value: Decimal | None) -> str:
    return "—" if value is None else f"{value.normalize():f}"


class CommentForm(PlainForm, forms.ModelForm):
    class Meta:
        model = Comment
        fields = list(COMMENT_FIELDS)
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}
        labels = {"body": _("Your comment"), "is_kudos": _("Send as kudos")}

    def __init__(self, *args, allow_kudos: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = _limit_help(self.fields["body"])
        self.fields["body"].error_messages["required"] = _("Write something first.")
        if not allow_kudos:
            del self.fields["is_kudos"]
        _text_direction_auto(self)
        self._style_widgets()

    def clean(self):
        data = super().clean()
        if "body" in data:
            _apply(self, services.comment_validate, body=data["body"])
        return data


class CommentEditForm(PlainForm, forms.Form):
    """Correcting a comment or reply: its text only."""

    body = forms.CharField(
        label=_("Your comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = _limit_help(self.fields["body"])
        self.fields["body"].error_messages["required"] = _("Write something first.")
        _text_direction_auto(self)
        self._style_widgets()

    def clean(self):
        data = super().clean()
        if "body" in data:
            _apply(self, services.comment_validate, body=data["body"])
        return data


class AcknowledgeForm(forms.Form):
    reply = forms.CharField(
        label=_("Reply (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Up to 4000 characters."),
    )


class ProgramGoalFilterForm(forms.Form):
    """The program goal list's filters, as the outcomes report links to it: the goals of
    pairings started in some months, of a status, of a health, created or completed in a
    month (months as YYYY-MM)."""

    MONTH_FIELDS = ("started_from", "started_to", "created", "completed")

    started_from = forms.CharField(required=False, max_length=7)
    started_to = forms.CharField(required=False, max_length=7)
    created = forms.CharField(required=False, max_length=7)
    completed = forms.CharField(required=False, max_length=7)
    status = forms.ChoiceField(
        required=False,
        choices=[
            ("", ""),
            (GoalStatus.ACTIVE, GoalStatus.ACTIVE.label),
            (GoalStatus.COMPLETED, GoalStatus.COMPLETED.label),
        ],
    )
    health = forms.ChoiceField(
        required=False, choices=[("", ""), *[(h, Health(h).label) for h in ACTIVE_HEALTHS]]
    )

    def clean(self):
        data = super().clean()
        for name in self.MONTH_FIELDS:
            text = data.get(name)
            data[name] = parse_month(text) if text else None
            if text and data[name] is None:
                self.add_error(name, _("Give a month as YYYY-MM, e.g. 2026-03."))
        return data
