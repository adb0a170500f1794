"""Authentication backends that read the signed-in user from the cache.

Every signed-in request loads its user; with a page served from the page cache that query is
most of the request's work. These backends are Django's and allauth's, with `get_user` reading
the user row from the shared cache first.

The cached row is dropped whenever the user is saved or deleted (a new password, a
deactivation, a new name), at once and again after the commit, so a request that read the old
row while the change was being committed cannot put it back. Django still checks the
session's password hash and `is_active` against the row on every request, so changing the
password ends other sessions as before. Writes that bypass `save()` are bounded by
AUTH_USER_CACHE_SECONDS. With AUTH_USER_CACHE_SECONDS at 0 (the default without Redis, since
one process could not tell another) these are exactly the stock backends.
"""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.core.cache import cache
from django.db import connection, transaction


def _key(user_id) -> str:
    return f"auth:user:{user_id}"


class CachedUserMixin:
    def get_user(self, user_id):
        seconds = settings.AUTH_USER_CACHE_SECONDS
        if seconds <= 0:
            return super().get_user(user_id)
        key = _key(user_id)
        user = cache.get(key)
        if user is None:
            user = super().get_user(user_id)
            if user is not None:
                cache.set(key, user, seconds)
            return user
        return user if self.user_can_authenticate(user) else None


class ModelBackend(CachedUserMixin, DjangoModelBackend):
    pass


class AuthenticationBackend(CachedUserMixin, AllauthBackend):
    pass


def forget(user_id) -> None:
    """Drop the cached row (connected to the user's save and delete signals)."""
    if settings.AUTH_USER_CACHE_SECONDS <= 0:
        return
    cache.delete(_key(user_id))
    if connection.in_atomic_block:
        transaction.on_commit(lambda: cache.delete(_key(user_id)))


def _on_change(sender, instance, **kwargs):
    forget(instance.pk)


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    post_save.connect(_on_change, sender=get_user_model(), dispatch_uid="auth-user-cache-save")
    post_delete.connect(
        _on_change, sender=get_user_model(), dispatch_uid="auth-user-cache-delete"
    )
