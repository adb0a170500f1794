"""Reads of accounts that pages share: a person's profile as a card; the language the
account behind an address reads in."""

from dataclasses import dataclass, field

from django.db.models.functions import Lower

from .models import User, profile_of

ADDRESSES_PER_QUERY = 1000


def reading_languages(addresses) -> dict[str, str]:
    """Lower-cased address -> the language its account chose, for the addresses whose
    account chose one (one query per thousand addresses)."""
    wanted = sorted({address.lower() for address in addresses})
    found: dict[str, str] = {}
    for start in range(0, len(wanted), ADDRESSES_PER_QUERY):
        found.update(
            User.objects.annotate(address=Lower("email"))
            .filter(address__in=wanted[start : start + ADDRESSES_PER_QUERY])
            .exclude(language="")
            .values_list("address", "language")
        )
    return found


@dataclass(frozen=True)
class ProfileCard:
    """What a profile card shows, prepared once (templates/accounts/_profile_card.html)."""

    uuid: str
    name: str
    timezone: str
    pronouns: str = ""
    headline: str = ""
    bio: str = ""
    offers: list = field(default_factory=list)
    wants: list = field(default_factory=list)
    languages: list = field(default_factory=list)
    availability: str = ""
    link: str = ""
    # Where the person's own page is ("" on that page itself).
    url: str = ""

    @property
    def is_empty(self) -> bool:
        return not (
            self.headline
            or self.bio
            or self.offers
            or self.wants
            or self.languages
            or self.availability
            or self.link
        )


def profile_card(user, *, url: str = "") -> ProfileCard | None:
    """The card of `user` (None for a deleted account). No query when the profile was read
    with the user (select_related("profile")), one otherwise."""
    if user is None:
        return None
    profile = profile_of(user)
    return ProfileCard(
        uuid=str(user.uuid),
        name=user.display_name,
        timezone=user.timezone,
        pronouns=profile.pronouns,
        headline=profile.headline,
        bio=profile.bio,
        offers=profile.offer_list,
        wants=profile.want_list,
        languages=profile.language_names,
        availability=profile.availability,
        link=profile.link,
        url=url,
    )
