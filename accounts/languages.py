"""The languages a person may say they speak: ISO 639-1 codes with their English names, a
fixed list, in the order of the names (plain values, no queries). Names are shown translated
where the interface is."""

from django.utils.translation import gettext_lazy as _

LANGUAGES = (
    ("ar", _("Arabic")),
    ("bn", _("Bengali")),
    ("zh", _("Chinese")),
    ("cs", _("Czech")),
    ("da", _("Danish")),
    ("nl", _("Dutch")),
    ("en", _("English")),
    ("fi", _("Finnish")),
    ("fr", _("French")),
    ("de", _("German")),
    ("el", _("Greek")),
    ("he", _("Hebrew")),
    ("hi", _("Hindi")),
    ("hu", _("Hungarian")),
    ("id", _("Indonesian")),
    ("it", _("Italian")),
    ("ja", _("Japanese")),
    ("ko", _("Korean")),
    ("ms", _("Malay")),
    ("no", _("Norwegian")),
    ("fa", _("Persian")),
    ("pl", _("Polish")),
    ("pt", _("Portuguese")),
    ("ro", _("Romanian")),
    ("ru", _("Russian")),
    ("es", _("Spanish")),
    ("sw", _("Swahili")),
    ("sv", _("Swedish")),
    ("tl", _("Tagalog")),
    ("ta", _("Tamil")),
    ("th", _("Thai")),
    ("tr", _("Turkish")),
    ("uk", _("Ukrainian")),
    ("ur", _("Urdu")),
    ("vi", _("Vietnamese")),
    ("yo", _("Yoruba")),
)

LANGUAGE_CODES = frozenset(code for code, _name in LANGUAGES)
_NAMES = dict(LANGUAGES)


def language_name(code: str) -> str:
    """The language's name, or the code itself for one no longer on the list."""
    return str(_NAMES.get(code, code))


def clean_language_codes(codes) -> list[str]:
    """Known codes only, each once, in the list's order."""
    wanted = set(codes or ())
    return [code for code, _name in LANGUAGES if code in wanted]
