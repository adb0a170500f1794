import zoneinfo
from functools import cache


@cache
def timezone_names() -> list[str]:
    """Every IANA zone name this system knows, sorted, without the legacy aliases."""
    legacy_prefixes = ("Etc/", "SystemV/", "US/", "Canada/", "Brazil/", "Chile/", "Mexico/")
    names = {
        name
        for name in zoneinfo.available_timezones()
        if "/" in name and not name.startswith(legacy_prefixes) and not name.startswith("posix")
    }
    names.add("UTC")
    return sorted(names)


def is_valid_timezone(name: str) -> bool:
    return name in set(timezone_names()) or name in zoneinfo.available_timezones()
