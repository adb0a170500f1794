"""OpenAPI schema additions: the error responses every API operation may give, JSON request
bodies, and links from each create to the operations on the object it made."""

from datetime import date

from goals.models import EARLIEST_DATE, latest_date
from goals.services import LONGEST_PLAN_WEEKS
from mentorship.models import PROGRAM_POSITIVE_FIELDS

ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "An error. `detail` says what went wrong; a rejected input has one entry per field "
        "(or `non_field_errors`) with a list of messages."
    ),
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {},
}

ERROR_DESCRIPTIONS = {
    "400": "Invalid input: messages per field",
    "401": "Not authenticated, or a revoked or altered token",
    "403": "Visible to you, but not yours to change",
    "404": "Not found, or outside your relationships",
    "409": (
        "Changed since you read it (send the current version), or in a state that does not "
        "allow this"
    ),
    "429": "Too many requests; retry later",
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: document the JSON error responses."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            codes = ["400", "401", "403", "404", "429"]
            if method in ("patch", "post", "delete"):
                codes.append("409")
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(
                    code,
                    {
                        "description": ERROR_DESCRIPTIONS[code],
                        "content": {"application/json": {"schema": ref}},
                    },
                )
    json_request_bodies_only(result)
    state_field_rules(result)
    state_query_rules(result)
    add_links(result)
    return result


def json_request_bodies_only(result) -> None:
    """Request bodies are documented as JSON only: a form encoding cannot say `null`, so a
    nullable field sent as a form would read as the text "null"."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content")
            if content and "application/json" in content:
                operation["requestBody"]["content"] = {
                    "application/json": content["application/json"]
                }


def add_links(result) -> None:
    """OpenAPI links from each create (POST /api/v1/<things>/) to the operations on the object
    it made (/api/v1/<things>/{uuid}/...), by the `uuid` of the 201 response."""
    paths = result.get("paths", {})
    for path, operations in paths.items():
        created = operations.get("post", {}).get("responses", {}).get("201")
        if not path.startswith("/api/v1/") or created is None:
            continue
        links = {}
        for other_path, other_operations in paths.items():
            if not other_path.startswith(f"{path}{{uuid}}/"):
                continue
            for method, operation in other_operations.items():
                parameters = {"uuid": "$response.body#/uuid"}
                if "{part}" in other_path:
                    continue
                links[operation["operationId"]] = {
                    "operationId": operation["operationId"],
                    "parameters": parameters,
                    "description": f"{method.upper()} {other_path} on the object just created",
                }
        if links:
            created["links"] = links


# A decimal as DRF's DecimalField reads it: at least one digit (drf-spectacular's own pattern
# also admits "", "-" and ".", which the field refuses).
DECIMAL_PATTERN = r"^-?(?:\d{1,%(whole)s}(?:\.\d{0,2})?|\.\d{1,2})$"
# DRF's CharField refuses the NUL character (ProhibitNullCharactersValidator).
NO_NUL_PATTERN = r"^[^\x00]*$"
# What DRF trims (Python's str.strip(): every character str.isspace() accepts), written out:
# a client's \s (ECMAScript's) is another set, without \x1c-\x1f and \x85.
PYTHON_WHITESPACE = (
    r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
)
NOT_BLANK_PATTERN = rf"^[^\x00]*[^{PYTHON_WHITESPACE}\x00][^\x00]*$"


# The dates of a goal (start, target) and of a milestone (due), by component.
HORIZON_DATES = {
    "GoalCreateRequest": ("starts_on", "target_date"),
    "PatchedGoalUpdateRequest": ("starts_on", "target_date"),
    "MilestoneCreateRequest": ("due_on",),
    "PatchedMilestoneEditRequest": ("due_on",),
    "StepCreateRequest": ("due_on", "repeats_until"),
    "PatchedStepEditRequest": ("due_on", "repeats_until"),
}
# Progress updates: a confidence from 1 to 5, and the day an update is for.
UPDATE_REQUESTS = ("ProgressUpdateCreateRequest", "PatchedProgressUpdateEditRequest")
UPDATE_DAY = (
    "The day the update is for: today in the mentee's time zone when left out; not a day to "
    "come, not before the goal starts."
)
UPDATE_RULES = "A note (not blank) or a value, or both."
# Weekly steps: weeks of the plan from 1 (the week of the goal's start).
STEP_REQUESTS = ("StepCreateRequest", "PatchedStepEditRequest")
STEP_RULES = (
    "Weeks count from 1, the week that holds the goal's start date; `week_to` needs "
    "`week_from` and is not before it; `repeats_until` is not before the goal starts."
)
# Rules across fields of a goal, which JSON Schema cannot state.
PROGRAM_RULES = (
    "The program does not end before it starts; `stall_after_days` is at least "
    "`checkin_cadence_days` (14 and 30 when not given)."
)
GOAL_RULES = (
    "The target date is after the start date; a starting value and a target value are given "
    "both or neither, and differ."
)


def _alternatives(values) -> str:
    return "(?:" + "|".join(values) + ")"


def dates_up_to(first: date, last: date) -> str:
    """A pattern for the YYYY-MM-DD dates from `first` (a 1 January) to `last`, both included
    (the calendar itself is `format: date`'s business)."""
    days = [f"{day:02d}" for day in range(1, last.day + 1)]
    parts = [rf"{last.year}-{last.month:02d}-{_alternatives(days)}"]
    if last.month > 1:
        months = [f"{month:02d}" for month in range(1, last.month)]
        parts.append(rf"{last.year}-{_alternatives(months)}-\d{{2}}")
    if last.year > first.year:
        years = [str(year) for year in range(first.year, last.year)]
        parts.append(rf"{_alternatives(years)}-\d{{2}}-\d{{2}}")
    return "^" + _alternatives(parts) + "$"


def state_field_rules(result) -> None:
    """Request bodies state the rules the serializers enforce beyond what drf-spectacular
    writes: no NUL in text, no text of blanks only where text is required, decimals with a
    digit, dates within the goals' horizon, numbers of at least 1, and the `version` a change
    must send."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if not name.endswith("Request"):
            continue
        for prop in component.get("properties", {}).values():
            if prop.get("type") == "array" and prop.get("items", {}).get("type") == "string":
                prop = prop["items"]
            if prop.get("type") != "string":
                continue
            if prop.get("format") == "decimal":
                whole = prop.get("pattern", "").split(r"\d{0,")[1].split("}")[0]
                prop["pattern"] = DECIMAL_PATTERN % {"whole": whole}
            elif "format" not in prop and "enum" not in prop and "pattern" not in prop:
                # DRF trims text first: a required text of blanks only is a blank one.
                blank_refused = prop.get("minLength", 0) >= 1
                prop["pattern"] = NOT_BLANK_PATTERN if blank_refused else NO_NUL_PATTERN
        properties = component.get("properties", {})
        if name.startswith("Patched") and "version" in properties:
            component["required"] = sorted({*component.get("required", []), "version"})
        horizon = dates_up_to(EARLIEST_DATE, latest_date())
        for field in HORIZON_DATES.get(name, ()):
            properties[field]["pattern"] = horizon
            properties[field]["description"] = (
                f"From {EARLIEST_DATE.isoformat()} to {latest_date().isoformat()}."
            )
        if name in ("ProgramRequest", "PatchedProgramRequest"):
            for field in PROGRAM_POSITIVE_FIELDS:
                if field in properties:
                    properties[field]["minimum"] = 1
            component["description"] = PROGRAM_RULES
        if name in ("GoalCreateRequest", "PatchedGoalUpdateRequest"):
            component["description"] = GOAL_RULES
        if name in UPDATE_REQUESTS:
            properties["confidence"].update(minimum=1, maximum=5)
            properties["occurred_on"]["description"] = UPDATE_DAY
            component["description"] = UPDATE_RULES
        if name in STEP_REQUESTS:
            for field in ("week_from", "week_to"):
                properties[field].update(minimum=1, maximum=LONGEST_PLAN_WEEKS)
            component["description"] = STEP_RULES


def state_query_rules(result) -> None:
    """An optional query parameter sent empty is the same as not sent (no filter, the default
    page size); `page_size` is between 1 and the largest page (api.pagination)."""
    from .pagination import Pagination

    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") != "query" or parameter.get("required"):
                    continue
                parameter["allowEmptyValue"] = True
                if parameter["name"] in ("page", "page_size"):
                    parameter["schema"]["minimum"] = 1
                if parameter["name"] == "page_size":
                    parameter["schema"]["maximum"] = Pagination.max_page_size
