"""Writes to accounts. allauth owns sign-up, e-mail and password changes; the profile is ours."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import InvalidInput

from .languages import clean_language_codes
from .models import MEETING_TIME_ORDER, PROFILE_FIELDS, Profile, User, tag_list
from .timezones import is_valid_timezone


@transaction.atomic
def user_update_profile(*, user: User, name: str, timezone: str) -> User:
    """Set the name and IANA time zone a person goes by; an unknown zone changes nothing."""
    if not is_valid_timezone(timezone):
        raise ValidationError(
            {"timezone": _("“%(zone)s” is not a known time zone.") % {"zone": timezone}}
        )
    user.name = name.strip()
    user.timezone = timezone
    user.save(update_fields=["name", "timezone"])
    return user


def _normalised(fields: dict) -> dict:
    """The profile's values as stored: tags lower-case and each once, text stripped, codes
    and times in the fixed lists' order."""
    values = dict(fields)
    for name in ("headline", "bio", "link", "pronouns"):
        if name in values:
            values[name] = (values[name] or "").strip()
    for name in ("offers", "wants"):
        if name in values:
            values[name] = ", ".join(tag_list(values[name] or ""))
    # Lists keep unknown entries (after the known ones, in order) for the model's validators
    # to refuse; anything else than a list is left for them to refuse too.
    if isinstance(values.get("languages"), list | tuple | set):
        codes = [str(c) for c in values["languages"]]
        known = clean_language_codes(codes)
        values["languages"] = known + sorted(set(codes) - set(known))
    if isinstance(values.get("meeting_times"), list | tuple | set):
        wanted = {str(t) for t in values["meeting_times"]}
        known = [t for t in MEETING_TIME_ORDER if t in wanted]
        values["meeting_times"] = known + sorted(wanted - set(known))
    return values


@transaction.atomic
def update_profile(
    *,
    user: User,
    name: str | None = None,
    timezone: str | None = None,
    language: str | None = None,
    **fields,
) -> Profile:
    """Save the person's name, time zone and profile fields (any of PROFILE_FIELDS) together:
    all of it or, when one value breaks a rule, none of it (InvalidInput, by field). The
    profile row is created on its first save."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"not profile fields: {sorted(unknown)}")
    errors: dict = {}
    if timezone is not None and not is_valid_timezone(timezone):
        errors["timezone"] = [_("“%(zone)s” is not a known time zone.") % {"zone": timezone}]
    if language and not is_interface_language(language):
        errors["language"] = [_("Pick a language from the list.")]
    profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
    for field_name, value in _normalised(fields).items():
        setattr(profile, field_name, value)
    try:
        profile.full_clean(exclude=["user"])
    except ValidationError as exc:
        for field_name, messages in exc.message_dict.items():
            errors.setdefault(field_name, []).extend(messages)
    if errors:
        # Raising leaves the atomic block: the row created above is undone too.
        first = next(iter(errors.values()))[0]
        raise InvalidInput(first, field=next(iter(errors)), errors=errors)
    profile.save()
    changed = []
    if name is not None:
        user.name = name.strip()
        changed.append("name")
    if timezone is not None:
        user.timezone = timezone
        changed.append("timezone")
    if language is not None:
        user.language = language
        changed.append("language")
    if changed:
        user.save(update_fields=changed)
    user.profile = profile
    return profile


def is_interface_language(code: str) -> bool:
    return code in {c for c, _name in settings.LANGUAGES}


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    """The language of the person's pages and e-mails ("" follows the browser); InvalidInput
    for one the site does not speak."""
    if language and not is_interface_language(language):
        raise InvalidInput(_("Pick a language from the list."), field="language")
    user.language = language
    user.save(update_fields=["language"])
    return user


@transaction.atomic
def user_set_timezone(*, user: User, timezone: str) -> User:
    """Set only the time zone (the profile page's "Use <zone>?" offer); InvalidInput for a
    zone we do not know."""
    if not is_valid_timezone(timezone):
        raise InvalidInput(
            _("“%(zone)s” is not a known time zone.") % {"zone": timezone}, field="timezone"
        )
    user.timezone = timezone
    user.save(update_fields=["timezone"])
    return user
