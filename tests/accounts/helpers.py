"""Helpers the account tests share: real TOTP codes and links out of sent e-mail."""

import base64
import hashlib
import hmac
import re
import struct
import time

from django.core import mail

LINK = re.compile(r"https?://[^\s\"'<>]+")
# A code is used within this many seconds of being computed, even on a loaded machine.
FRESH_SECONDS = 5


def totp_code(secret: str, *, at: float | None = None, period: int = 30, digits: int = 6) -> str:
    """RFC 6238 time-based code, computed the way an authenticator app does. Without `at`,
    the code of a period that still has at least FRESH_SECONDS to run: near the end of one it
    waits for the next, as a person reads the new code rather than one about to expire (the
    server accepts only the current period's code)."""
    if at is None:
        left = period - time.time() % period
        if left < FRESH_SECONDS:
            time.sleep(left + 0.05)
        at = time.time()
    counter = int(at // period)
    key = base64.b32decode(secret.encode("ascii"), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


def links_in_last_mail(to: str) -> list[str]:
    messages = [m for m in mail.outbox if to in m.to]
    assert messages, f"no e-mail was sent to {to}"
    return LINK.findall(messages[-1].body)


def link_in_last_mail(to: str, contains: str) -> str:
    matches = [link for link in links_in_last_mail(to) if contains in link]
    assert matches, f"no link containing {contains!r} in the last e-mail to {to}"
    return matches[0]


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]
