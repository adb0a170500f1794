"""E-mail from template triplets: emails/<name>_subject.txt, _body.txt and _body.html.

`build_email` renders any triplet (other apps use it too); `build_notification_email` turns
one or more notification rows that go out together into a message with a stable Message-ID
and a one-click unsubscribe link for their kind. `outbox_fields` and `outbox_message` turn a
ready message into an outbox row's fields and back.
"""

import hashlib
from email.mime.text import MIMEText
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from .kinds import Kind
from .links import absolute
from .unsubscribe import unsubscribe_url

# Kind -> template triplet name under templates/emails/.
TEMPLATES = {
    Kind.CHECKIN_DUE_SOON: "reminder",
    Kind.CHECKIN_OVERDUE: "reminder",
    Kind.PAIRING_STALLED: "reminder",
    Kind.MILESTONE_DUE_SOON: "reminder",
    Kind.MILESTONE_OVERDUE: "reminder",
    Kind.MEETING_REMINDER: "reminder",
    Kind.ACTION_ITEM_OVERDUE: "reminder",
    Kind.NUDGE: "reminder",
    Kind.NEEDS_ATTENTION: "reminder",
    Kind.FEEDBACK: "feedback",
    Kind.MESSAGE: "message",
    Kind.APPLICATION_DECIDED: "application_decided",
    Kind.DIGEST_MENTOR: "digest_mentor",
    Kind.DIGEST_MENTEE: "digest_mentee",
    Kind.DIGEST_ADMIN: "digest_admin",
    Kind.SURVEY: "survey",
}
GENERIC_TEMPLATE = "notification"


def build_email(template: str, context: dict, *, to: list[str], headers: dict | None = None):
    context = {"SITE_URL": settings.SITE_URL, "SITE_NAME": settings.SITE_NAME, **context}
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    text = render_to_string(f"emails/{template}_body.txt", context)
    html = render_to_string(f"emails/{template}_body.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        headers=headers or {},
    )
    message.attach_alternative(html, "text/html")
    return message


def mail_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def message_id(batch_key: str) -> str:
    """The same rows always give the same Message-ID, so a copy resent after a crash is
    recognisably the same message (mail clients thread or drop it)."""
    digest = hashlib.sha256(batch_key.encode()).hexdigest()
    return f"<{digest}@{mail_domain()}>"


def build_notification_email(rows: list) -> EmailMultiAlternatives:
    """One message for rows that share a batch key (same recipient and kind), in the
    recipient's language."""
    with in_language_of(rows[0].recipient):
        return _notification_email(rows)


def _notification_email(rows: list) -> EmailMultiAlternatives:
    first = rows[0]
    recipient = first.recipient
    template = TEMPLATES.get(first.kind, GENERIC_TEMPLATE)
    unsubscribe = unsubscribe_url(user=recipient, kind=first.kind)
    items = [
        {
            "title": row.title,
            "body": row.body,
            "url": absolute(row.url or "/"),
            "payload": row.payload,
        }
        for row in rows
    ]
    context = {
        "recipient": recipient,
        "notification": items[0],
        "items": items,
        "gathered": gathered_heading(rows),
        "payload": first.payload,
        "kind": first.kind,
        "kind_label": _kind_label(first.kind),
        "unsubscribe_url": unsubscribe,
        "preferences_url": absolute(reverse("notifications:preferences")),
        "inbox_url": absolute(reverse("notifications:inbox")),
        "home_url": absolute("/"),
    }
    headers = {
        "Message-ID": message_id(first.batch_key or first.dedupe_key),
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }
    return build_email(template, context, to=[recipient.email], headers=headers)


# What a gathered feedback row is about, from its dedupe key (goals.services writes them).
GATHERED_PARTS = (
    (
        "feedback:update:",
        lambda n: ngettext("%(n)d new progress update", "%(n)d new progress updates", n),
    ),
    (
        "feedback:ack:",
        lambda n: ngettext("%(n)d update acknowledged", "%(n)d updates acknowledged", n),
    ),
    ("feedback:comment:", lambda n: ngettext("%(n)d new comment", "%(n)d new comments", n)),
    ("message:", lambda n: ngettext("%(n)d new message", "%(n)d new messages", n)),
)


def gathered_heading(rows: list) -> str:
    """What several gathered rows are, by what they are about: "3 new progress updates",
    "2 new comments, 1 update acknowledged"; one row is its own title."""
    if len(rows) == 1:
        return rows[0].title
    parts = []
    counted = 0
    for prefix, label in GATHERED_PARTS:
        n = sum(1 for row in rows if (row.dedupe_key or "").startswith(prefix))
        if n:
            parts.append(label(n) % {"n": n})
            counted += n
    if counted < len(rows):
        rest = len(rows) - counted
        parts.append(ngettext("%(n)d other notice", "%(n)d other notices", rest) % {"n": rest})
    return ", ".join(parts)


def _kind_label(kind: str) -> str:
    try:
        return str(Kind(kind).label)
    except ValueError:
        return kind


def outbox_fields(message: EmailMessage) -> dict:
    """The fields of an OutboxEmail row that hold `message`, with a Message-ID of its own
    (the message's, when it has one) that every attempt to send it will carry."""
    attachments = []
    for attachment in message.attachments:
        # Text attachments only (a calendar invitation): the row is JSON.
        filename, content, mimetype = attachment
        if filename is None or not isinstance(content, str):
            raise ValueError("the outbox keeps text attachments with a file name only")
        attachments.append([str(filename), content, str(mimetype)])
    headers = {str(k): str(v) for k, v in (message.extra_headers or {}).items()}
    message_id = headers.pop("Message-ID", "") or make_msgid(domain=mail_domain())
    return {
        "message_id": message_id,
        "from_email": message.from_email or settings.DEFAULT_FROM_EMAIL,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "subject": str(message.subject),
        "body": str(message.body),
        "content_subtype": message.content_subtype,
        "alternatives": [
            [str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])
        ],
        "headers": headers,
        "attachments": attachments,
    }


def outbox_message(row) -> EmailMultiAlternatives:
    """The message an OutboxEmail row holds, with its Message-ID."""
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body,
        from_email=row.from_email,
        to=row.to,
        cc=row.cc,
        bcc=row.bcc,
        reply_to=row.reply_to,
        headers={**row.headers, "Message-ID": row.message_id},
    )
    message.content_subtype = row.content_subtype
    for content, mimetype in row.alternatives:
        message.attach_alternative(content, mimetype)
    for filename, content, mimetype in row.attachments:
        message.attach(text_attachment(filename, content, mimetype))
    return message


def text_attachment(filename: str, content: str, mimetype: str) -> MIMEText:
    """A text attachment whose type may carry parameters ("text/calendar; method=REQUEST",
    which calendar programs read to tell an invitation from a cancellation)."""
    kind, _sep, params = mimetype.partition(";")
    maintype, _slash, subtype = kind.strip().partition("/")
    part = MIMEText(content, subtype or "plain", "utf-8")
    for param in params.split(";"):
        name, _eq, value = param.strip().partition("=")
        if name and value:
            part.set_param(name, value)
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


def language_of(user) -> str:
    """The language `user` reads the site and their e-mails in: their choice, else the
    site's default (an e-mail has no browser to ask)."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def in_language_of(user):
    """Compose what `user` will read in their language, whoever caused it (a context
    manager)."""
    return translation.override(language_of(user))


def in_language(code: str | None):
    """The same for a stored `User.language` read with `.values()` (blank: the site's)."""
    return translation.override(code or settings.LANGUAGE_CODE)
