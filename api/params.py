"""Query parameters and form errors shared by the API's viewsets."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

# Case-insensitive, so an upper-case UUID reaches the view (and its JSON 404) rather than
# Django's HTML "page not found".
UUID_PATTERN = "[0-9a-fA-F-]{36}"


def parse_date_param(request, name: str):
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    try:
        return serializers.DateField().to_internal_value(value)
    except serializers.ValidationError:
        raise ValidationError({name: [_("Use a date as YYYY-MM-DD.")]}) from None


def filter_date_range(request, qs, *, lookup: str, param: str):
    """Apply ?<param>_after= and ?<param>_before= (both inclusive) to the date `lookup`."""
    after = parse_date_param(request, f"{param}_after")
    if after:
        qs = qs.filter(**{f"{lookup}__gte": after})
    before = parse_date_param(request, f"{param}_before")
    if before:
        qs = qs.filter(**{f"{lookup}__lte": before})
    return qs


def parse_choice_param(request, name: str, choices) -> str | None:
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    if value not in choices:
        raise ValidationError(
            {name: [_("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)}]}
        )
    return value


def parse_bool_param(request, name: str) -> bool | None:
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    raise ValidationError({name: [_("Use true or false.")]})


def parse_uuid_param(request, name: str):
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    try:
        return serializers.UUIDField().to_internal_value(value)
    except serializers.ValidationError:
        raise ValidationError({name: [_("Must be a valid UUID.")]}) from None


def form_errors(form) -> dict:
    return {
        ("non_field_errors" if field == "__all__" else field): [str(m) for m in messages]
        for field, messages in form.errors.items()
    }


def page_form_data(base: dict, changes: dict) -> dict:
    """Data for a page's Django form: the current values (`base`) with the API's changes;
    None becomes the empty string, as a browser would send it."""
    data = {**base, **changes}
    return {k: ("" if v is None else v) for k, v in data.items()}


def date_params(*names: str) -> list[OpenApiParameter]:
    return [OpenApiParameter(n, OpenApiTypes.DATE, description="YYYY-MM-DD") for n in names]
