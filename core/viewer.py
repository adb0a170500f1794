"""The viewer: what the signed-in person is to everyone else, read once per request.

Every access check and list filter (the domains' policy modules), the navigation and the
API read it instead of asking the database again. Core knows no domain: each app registers
the facts it owns in its AppConfig.ready() with `provide()`, as a loader that reads them for
a user in one query and returns them by name. A fact is loaded the first time it is asked
for, together with the other facts of the same loader, so a page that never shows the
unread count never counts.

`request.viewer` (set by core.middleware.ViewerMiddleware) is the request's viewer. Code with
a user and no request (tasks, commands, tests) asks `Viewer.of(user)`, which reads afresh.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

Loader = Callable[[Any], dict[str, Any]]

_loaders: dict[str, Loader] = {}


def provide(names: Iterable[str], loader: Loader) -> None:
    """Register `loader(user) -> {name: value}` as the source of the facts `names`. It is
    called only for a signed-in user and must return every one of them."""
    for name in names:
        if name in _loaders and _loaders[name] is not loader:
            raise ValueError(f"viewer fact {name!r} is provided twice")
        _loaders[name] = loader


class Viewer:
    """The facts about one person that access rules and the navigation need."""

    def __init__(self, user):
        self.user = user
        self.is_authenticated = bool(user is not None and user.is_authenticated)
        self.pk = user.pk if self.is_authenticated else None

    @classmethod
    def of(cls, who) -> Viewer:
        """`who` if it is a viewer already, else a new viewer of that user."""
        return who if isinstance(who, Viewer) else cls(who)

    def __getattr__(self, name: str):
        # Only called for facts not loaded yet (loaded ones live in the instance dict).
        loader = _loaders.get(name)
        if loader is None:
            raise AttributeError(f"{type(self).__name__} has no fact {name!r}")
        if not self.is_authenticated:
            raise AttributeError(f"an anonymous viewer has no fact {name!r}")
        facts = loader(self.user)
        missing = {n for n, source in _loaders.items() if source is loader} - facts.keys()
        if missing:
            raise RuntimeError(f"viewer loader gave no value for {sorted(missing)}")
        self.__dict__.update(facts)
        return facts[name]

    def forget(self) -> None:
        """Drop every loaded fact (after a change to the person's own relationships)."""
        for name in list(self.__dict__):
            if name in _loaders:
                del self.__dict__[name]

    def __repr__(self) -> str:
        return f"<Viewer {self.pk or 'anonymous'}>"
