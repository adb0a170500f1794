"""Reading participant and pairing CSV files: every bad row is named with its line number and
the reason, before anything is written.

`decode_upload` turns the uploaded bytes into text (or says which lines are not UTF-8);
`preview_participants` and `preview_pairings` check every row against the file and the
database with a fixed number of queries, so a 5,000-row file checks in well under a second.
The imports themselves are services (`participants_import`, `pairings_import`).
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from accounts.models import User

from .models import OPEN_PAIRING_STATUSES, Invitation, Membership, Pairing, Program, Role

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_CAPACITY = 50
# SQLite allows a limited number of parameters per query; look e-mails up in chunks.
LOOKUP_CHUNK = 900

PARTICIPANT_COLUMNS = ("email", "name", "role", "skills", "interests", "capacity")
PARTICIPANT_REQUIRED = ("email", "name", "role")
PAIRING_COLUMNS = ("mentor_email", "mentee_email")
# A NUL character is never meant (a binary file, or a spreadsheet's junk) and no database
# text column can hold one (PostgreSQL refuses it): the row is refused at the preview.
NUL = "\x00"


@dataclass
class RowError:
    line: int
    reason: str


@dataclass
class ParticipantRow:
    line: int
    email: str
    name: str
    role: str
    skills: str
    interests: str
    capacity: int | None


@dataclass
class PairingRow:
    line: int
    mentor_email: str
    mentee_email: str


@dataclass
class Preview:
    kind: str  # "participants" or "pairings"
    rows: list = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def decode_upload(data: bytes) -> tuple[str | None, list[RowError]]:
    """The file as text, or the lines that are not UTF-8 (a spreadsheet saved as Latin-1 or
    UTF-16 is the usual cause)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [RowError(1, _("Wrong encoding: the file is UTF-16; save it as UTF-8 CSV."))]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    errors = []
    for number, raw in enumerate(data.splitlines(), start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            errors.append(
                RowError(number, _("Wrong encoding: this line is not UTF-8; save as UTF-8 CSV."))
            )
    return None, errors


def _nul_message() -> str:
    return _(
        "This row contains a NUL character, which no text can hold: the file may not be a CSV "
        "saved as text. Remove the character (or save the file again as UTF-8 CSV)."
    )


def _rows(text: str, columns: tuple[str, ...], required: tuple[str, ...], preview: Preview):
    """Yield (line number, {column: value}) for each non-empty row; record header and
    row-shape errors in `preview`."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        preview.errors.append(RowError(1, _("The file is empty.")))
        return
    except csv.Error as error:
        preview.errors.append(RowError(1, _("Not a CSV file: %(e)s") % {"e": error}))
        return
    if any(NUL in h for h in header):
        preview.errors.append(RowError(1, _nul_message()))
        return
    names = [h.strip().lower() for h in header]
    missing = [c for c in required if c not in names]
    if missing:
        preview.errors.append(
            RowError(
                1,
                _("Missing column: %(missing)s (the first line must name the columns %(all)s).")
                % {"missing": ", ".join(missing), "all": ",".join(columns)},
            )
        )
        return
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            preview.errors.append(
                RowError(reader.line_num, _("Not valid CSV: %(e)s") % {"e": error})
            )
            return
        if not any(v.strip() for v in values):
            continue
        if any(NUL in v for v in values):
            preview.errors.append(RowError(reader.line_num, _nul_message()))
            continue
        if len(values) < len(names):
            preview.errors.append(
                RowError(
                    reader.line_num,
                    _("Missing column: the row has %(n)s values, the header names %(m)s.")
                    % {"n": len(values), "m": len(names)},
                )
            )
            continue
        if len(values) > len(names):
            preview.errors.append(
                RowError(
                    reader.line_num,
                    _("The row has %(n)s values, more than the %(m)s columns of the header.")
                    % {"n": len(values), "m": len(names)},
                )
            )
            continue
        yield reader.line_num, {n: v.strip() for n, v in zip(names, values, strict=True)}


def _email_ok(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _chunks(items: list, size: int = LOOKUP_CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def preview_participants(program: Program, text: str) -> Preview:
    preview = Preview("participants")
    seen: dict[tuple[str, str], int] = {}
    candidates: list[ParticipantRow] = []
    role_names = ", ".join(Role.values)
    for line, row in _rows(text, PARTICIPANT_COLUMNS, PARTICIPANT_REQUIRED, preview):
        email = row["email"].lower()
        role = row["role"].lower()
        problems = []
        if not email:
            problems.append(_("Missing e-mail address."))
        elif not _email_ok(email):
            problems.append(_("Bad e-mail address “%(v)s”.") % {"v": row["email"]})
        if not role:
            problems.append(_("Missing role (use %(roles)s).") % {"roles": role_names})
        elif role not in Role.values:
            problems.append(
                _("Unknown role “%(v)s” (use %(roles)s).") % {"v": row["role"], "roles": role_names}
            )
        capacity = None
        raw_capacity = row.get("capacity", "")
        if raw_capacity:
            try:
                capacity = int(raw_capacity)
                if not 0 <= capacity <= MAX_CAPACITY:
                    raise ValueError
            except ValueError:
                problems.append(
                    _("Capacity “%(v)s” is not a whole number from 0 to %(max)s.")
                    % {"v": raw_capacity, "max": MAX_CAPACITY}
                )
        key = (email, role)
        if not problems and key in seen:
            problems.append(
                _("Duplicate: %(email)s is already listed as %(role)s on line %(line)s.")
                % {"email": email, "role": role, "line": seen[key]}
            )
        if problems:
            preview.errors.extend(RowError(line, p) for p in problems)
            continue
        seen[key] = line
        candidates.append(
            ParticipantRow(
                line=line,
                email=email,
                name=row["name"][:150],
                role=role,
                skills=row.get("skills", "")[:500],
                interests=row.get("interests", "")[:500],
                capacity=capacity,
            )
        )
    return check_participants(program, candidates, preview)


def check_participants(
    program: Program, candidates: list[ParticipantRow], preview: Preview | None = None
) -> Preview:
    """Check rows that are well formed against the database (nobody is listed again in a
    role they already have); the good ones go to `preview.rows`. A background import runs it
    again on each batch, since the database may have changed since the preview."""
    preview = preview or Preview("participants")
    existing = set()
    emails = sorted({c.email for c in candidates})
    for chunk in _chunks(emails):
        existing.update(
            Membership.objects.filter(program=program, user__email__in=chunk).values_list(
                "user__email", "role"
            )
        )
    for candidate in candidates:
        if (candidate.email, candidate.role) in existing:
            preview.errors.append(
                RowError(
                    candidate.line,
                    _("Duplicate: %(email)s is already a %(role)s in this program.")
                    % {"email": candidate.email, "role": candidate.role},
                )
            )
        else:
            preview.rows.append(candidate)
    preview.errors.sort(key=lambda e: e.line)
    return preview


def preview_pairings(program: Program, text: str) -> Preview:
    """Check a mentor_email,mentee_email file against the program: both are members in the
    right role, the mentee is not paired twice, and no mentor goes over capacity."""
    preview = Preview("pairings")
    parsed = []
    for line, row in _rows(text, PAIRING_COLUMNS, PAIRING_COLUMNS, preview):
        mentor_email = row["mentor_email"].lower()
        mentee_email = row["mentee_email"].lower()
        problems = []
        for value, missing in (
            (row["mentor_email"], _("Missing mentor e-mail address.")),
            (row["mentee_email"], _("Missing mentee e-mail address.")),
        ):
            if not value:
                problems.append(missing)
            elif not _email_ok(value.lower()):
                problems.append(_("Bad e-mail address “%(v)s”.") % {"v": value})
        if problems:
            preview.errors.extend(RowError(line, p) for p in problems)
            continue
        parsed.append(PairingRow(line, mentor_email, mentee_email))
    return check_pairings(program, parsed, preview)


def check_pairings(
    program: Program, parsed: list[PairingRow], preview: Preview | None = None
) -> Preview:
    """Check well-formed pairing rows against the database and each other; the good ones go
    to `preview.rows`. A background import runs it again on each batch."""
    preview = preview or Preview("pairings")
    emails = sorted({r.mentor_email for r in parsed} | {r.mentee_email for r in parsed})
    mentors: dict[str, tuple[int, int]] = {}  # email -> (user id, capacity)
    mentees: dict[str, int] = {}
    for chunk in _chunks(emails):
        for email, user_id, role, capacity in Membership.objects.filter(
            program=program, user__email__in=chunk, role__in=[Role.MENTOR, Role.MENTEE]
        ).values_list("user__email", "user_id", "role", "capacity"):
            if role == Role.MENTOR:
                mentors[email] = (user_id, capacity)
            else:
                mentees[email] = user_id
    # People invited in a role who have not accepted yet: not members, so not paired; the
    # row says why (it tells the admin only what they did themselves).
    invited: set[tuple[str, str]] = set()
    for chunk in _chunks(emails):
        invited.update(
            Invitation.objects.filter(
                program=program,
                email__in=chunk,
                role__in=[Role.MENTOR, Role.MENTEE],
                accepted_at__isnull=True,
                declined_at__isnull=True,
                revoked_at__isnull=True,
            ).values_list("email", "role")
        )
    load = dict(
        Pairing.objects.filter(program=program, status__in=OPEN_PAIRING_STATUSES)
        .values("mentor_id")
        .annotate(n=Count("pk"))
        .values_list("mentor_id", "n")
    )
    already_paired = set(
        Pairing.objects.filter(
            Q(mentee_id__in=list(mentees.values())) if len(mentees) < LOOKUP_CHUNK else Q(),
            program=program,
            status__in=OPEN_PAIRING_STATUSES,
        ).values_list("mentee_id", flat=True)
    )
    mentee_lines: dict[str, int] = {}
    for row in parsed:
        problems = []
        if row.mentor_email == row.mentee_email:
            problems.append(
                _("A person cannot mentor themselves (%(e)s).") % {"e": row.mentor_email}
            )
        for email, role, known in (
            (row.mentor_email, Role.MENTOR, mentors),
            (row.mentee_email, Role.MENTEE, mentees),
        ):
            if email in known:
                continue
            if (email, role) in invited:
                problems.append(
                    _(
                        "Not accepted yet: %(e)s was invited as %(role)s and has not accepted; "
                        "pair them once they have."
                    )
                    % {"e": email, "role": Role(role).label.lower()}
                )
            elif role == Role.MENTOR:
                problems.append(
                    _("Unknown person: %(e)s is not a mentor in this program.") % {"e": email}
                )
            else:
                problems.append(
                    _("Unknown person: %(e)s is not a mentee in this program.") % {"e": email}
                )
        if problems:
            preview.errors.extend(RowError(row.line, p) for p in problems)
            continue
        if row.mentee_email in mentee_lines:
            preview.errors.append(
                RowError(
                    row.line,
                    _("Duplicate: %(e)s is already paired on line %(line)s.")
                    % {"e": row.mentee_email, "line": mentee_lines[row.mentee_email]},
                )
            )
            continue
        if mentees[row.mentee_email] in already_paired:
            preview.errors.append(
                RowError(
                    row.line,
                    _("Duplicate: %(e)s already has an open pairing in this program.")
                    % {"e": row.mentee_email},
                )
            )
            continue
        mentor_id, capacity = mentors[row.mentor_email]
        if load.get(mentor_id, 0) >= capacity:
            preview.errors.append(
                RowError(
                    row.line,
                    _("Mentor over capacity: %(e)s takes at most %(cap)s mentees.")
                    % {"e": row.mentor_email, "cap": capacity},
                )
            )
            continue
        load[mentor_id] = load.get(mentor_id, 0) + 1
        mentee_lines[row.mentee_email] = row.line
        preview.rows.append(row)
    preview.errors.sort(key=lambda e: e.line)
    return preview


def users_by_email(emails: list[str]) -> dict[str, User]:
    found: dict[str, User] = {}
    for chunk in _chunks(sorted(set(emails))):
        for user in User.objects.filter(email__in=chunk):
            found[user.email.lower()] = user
    return found


ROW_TYPES = {"participants": ParticipantRow, "pairings": PairingRow}


def batches_of(kind: str, rows: list, size: int) -> list[list[dict]]:
    """The checked rows as plain dicts, cut into batches of about `size` rows for a
    background import. All rows of one participant's address fall in the same batch (so one
    batch sees all of a person's invitations)."""
    if kind == "participants":
        groups: dict[str, list] = {}
        for row in rows:
            groups.setdefault(row.email, []).append(row)
        units = list(groups.values())
    else:
        units = [[row] for row in rows]
    batches: list[list[dict]] = []
    current: list[dict] = []
    for unit in units:
        current.extend(dict(vars(row)) for row in unit)
        if len(current) >= size:
            batches.append(current)
            current = []
    if current:
        batches.append(current)
    return batches


def rows_of(kind: str, batch: list[dict]) -> list:
    row_type = ROW_TYPES[kind]
    return [row_type(**row) for row in batch]


# --- Files with other column names --------------------------------------------------------

# Column names other tools use for ours (compared lowercased, without spaces, dashes and
# underscores): a file exported as "Email Address, Full Name, ..." maps itself.
SYNONYMS = {
    "email": ("email", "emailaddress", "mail", "e-mail", "emailid", "workemail"),
    "name": ("name", "fullname", "displayname", "participant", "person"),
    "role": ("role", "type", "participanttype", "programrole"),
    "skills": ("skills", "offers", "expertise", "canhelpwith"),
    "interests": ("interests", "wants", "wantstolearn", "goals", "learninggoals"),
    "capacity": ("capacity", "maxmentees", "mentees", "slots"),
    "mentor_email": ("mentoremail", "mentor", "mentoremailaddress"),
    "mentee_email": ("menteeemail", "mentee", "menteeemailaddress"),
}


def _squash(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def file_header(text: str) -> list[str]:
    """The names in the file's first line ([] for an empty or broken file)."""
    try:
        return [h.strip() for h in next(csv.reader(io.StringIO(text, newline="")))]
    except (StopIteration, csv.Error):
        return []


def columns_of(kind: str) -> tuple[str, ...]:
    return PARTICIPANT_COLUMNS if kind == "participants" else PAIRING_COLUMNS


def required_of(kind: str) -> tuple[str, ...]:
    return PARTICIPANT_REQUIRED if kind == "participants" else PAIRING_COLUMNS


def needs_mapping(kind: str, text: str) -> bool:
    """The file has a header, but not with all of our required column names."""
    names = {h.lower() for h in file_header(text)}
    return bool(names) and not set(required_of(kind)) <= names


def guess_mapping(kind: str, header: list[str]) -> dict[str, int | None]:
    """For each of our columns, the position of the file's column that looks like it."""
    squashed = [_squash(h) for h in header]
    mapping: dict[str, int | None] = {}
    taken: set[int] = set()
    for column in columns_of(kind):
        choices = [_squash(s) for s in SYNONYMS.get(column, (column,))]
        found = next((i for i, h in enumerate(squashed) if h in choices and i not in taken), None)
        mapping[column] = found
        if found is not None:
            taken.add(found)
    return mapping


def apply_mapping(kind: str, text: str, mapping: dict[str, int | None]) -> str:
    """The file with its header line replaced by our column names (`mapping`: our column ->
    the position of the file's column); columns mapped to nothing are left out by name."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    header_lines = reader.line_num
    names = [f"unused {i + 1}" for i in range(len(header))]
    for column, position in mapping.items():
        if position is not None and 0 <= position < len(header):
            names[position] = column
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(names)
    rest = "".join(text.splitlines(keepends=True)[header_lines:])
    return out.getvalue() + rest


def skipped_file(text: str, skipped: list[dict], header: list[str] | None = None) -> str:
    """The file's rows at the skipped lines, as they were, with the reason added as a last
    column (cells made safe for spreadsheets). `header`: the file's own column names, when
    its first line was replaced by ours (apply_mapping)."""
    from core.csvsafe import csv_cell

    reasons = {entry["line"]: entry["reason"] for entry in skipped}
    reader = csv.reader(io.StringIO(text, newline=""))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    try:
        first = next(reader)
    except (StopIteration, csv.Error):
        return ""
    header = header if header and len(header) == len(first) else first
    writer.writerow([csv_cell(h) for h in header] + [_("reason")])
    try:
        for values in reader:
            reason = reasons.get(reader.line_num)
            if reason is not None:
                # A NUL (the reason of some skips) can be neither stored nor meant: shown as �.
                cells = [csv_cell(v.replace(NUL, "\ufffd")) for v in values]
                writer.writerow(cells + [csv_cell(reason)])
    except csv.Error:
        pass
    return out.getvalue()
