"""Filters the API's list FilterSets share: strict where django-filter is lenient, so a bad
value is a 400 naming the parameter instead of being ignored."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

TRUE = ("true", "1", "yes")
FALSE = ("false", "0", "no")


class StrictBooleanField(forms.Field):
    """true/false (also 1/0, yes/no, any case); anything else is an error, empty is None."""

    default_error_messages = {"invalid": _("Use true or false.")}

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class BooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        # The stock widget turns an unknown word into "no filter" before the field sees it.
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


class DateFilter(filters.DateFilter):
    """A date as YYYY-MM-DD."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        kwargs.setdefault("error_messages", {"invalid": _("Use a date as YYYY-MM-DD.")})
        super().__init__(*args, **kwargs)


def date_range(field_name: str) -> tuple[DateFilter, DateFilter]:
    """?<param>_after= and ?<param>_before=, both inclusive, on the date `field_name`."""
    return (
        DateFilter(field_name=field_name, lookup_expr="gte"),
        DateFilter(field_name=field_name, lookup_expr="lte"),
    )
