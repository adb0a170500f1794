"""Reads of accounts that pages share: a person's profile as a card."""

from dataclasses import dataclass, field

from .models import profile_of


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
