"""CSV import of participants and pairings: upload, preview every bad row, confirm.

The uploaded text waits in the session between the preview and the confirmation; the
confirmation checks it again against the database. A small file is imported there and then,
all rows or none; a large one becomes an import run worked through in the background, whose
page shows its progress (polled with htmx) and its result.
"""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.access import require_found

from .. import csv_import, policy, selectors, services
from ..forms import CSVUploadForm

SESSION_KEY = "mentorship_csv_import"

KINDS = {
    "participants": {
        "preview": csv_import.preview_participants,
        "columns": ",".join(csv_import.PARTICIPANT_COLUMNS),
        "example": "email,name,role,skills,interests,capacity\n"
        "ana@example.com,Ana Okafor,mentor,leadership; public speaking,communication,3\n"
        "lena@example.com,Lena Fischer,mentee,,public speaking; leadership,",
    },
    "pairings": {
        "preview": csv_import.preview_pairings,
        "columns": ",".join(csv_import.PAIRING_COLUMNS),
        "example": "mentor_email,mentee_email\nana@example.com,lena@example.com",
    },
}


def _kind(kind: str) -> dict:
    require_found(kind in KINDS)
    return KINDS[kind]


def _remember(
    request, program, kind: str, text: str, filename: str, stage: str, header=None
) -> str:
    """Keep the uploaded text in the session for the next step; returns its token. `header`:
    the file's own column names, when they were matched to ours."""
    token = secrets.token_urlsafe(16)
    request.session[SESSION_KEY] = {
        "token": token,
        "program": str(program.uuid),
        "kind": kind,
        "text": text,
        "filename": filename[:200],
        "stage": stage,
        "header": header,
    }
    return token


def _stored(request, program, kind: str, stage: str) -> dict | None:
    stored = request.session.get(SESSION_KEY) or {}
    if (
        stored.get("token") != request.POST.get("token")
        or stored.get("program") != str(program.uuid)
        or stored.get("kind") != kind
        or stored.get("stage", "confirm") != stage
    ):
        return None
    return stored


def _preview_page(request, program, kind: str, text: str, filename: str, header=None):
    """Check the text and show the preview: ready rows, bad rows, and what can be done."""
    spec = _kind(kind)
    preview = spec["preview"](program, text)
    context = {"program": program, "kind": kind, "spec": spec, "preview": preview}
    header_broken = any(error.line == 1 for error in preview.errors)
    if preview.rows and not header_broken:
        context["token"] = _remember(request, program, kind, text, filename, "confirm", header)
        context["background"] = len(preview.rows) > services.IMPORT_INLINE_ROWS
        context["skipped_count"] = len({error.line for error in preview.errors})
    else:
        request.session.pop(SESSION_KEY, None)
    return render(request, "mentorship/import_preview.html", context)


def _mapping_page(request, program, kind: str, text: str, filename: str, mapping=None, error=""):
    """The file's own column names, each to be matched with one of ours."""
    header = csv_import.file_header(text)
    mapping = mapping or csv_import.guess_mapping(kind, header)
    required = csv_import.required_of(kind)
    return render(
        request,
        "mentorship/import_mapping.html",
        {
            "program": program,
            "kind": kind,
            "spec": _kind(kind),
            "token": _remember(request, program, kind, text, filename, "map"),
            "header": list(enumerate(header)),
            "columns": [(c, c in required, mapping.get(c)) for c in csv_import.columns_of(kind)],
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request, program_uuid, kind):
    """GET: the upload form. POST: check the file and show the preview, or first ask which
    of the file's columns are ours when its column names differ."""
    program = policy.get_program_for_admin(request.viewer, program_uuid)
    spec = _kind(kind)
    form = CSVUploadForm(request.POST or None, request.FILES or None)
    context = {"program": program, "kind": kind, "spec": spec, "form": form}
    if request.method == "POST" and form.is_valid():
        filename = form.cleaned_data["file"].name
        text, errors = csv_import.decode_upload(form.cleaned_data["file"].read())
        if text is None:
            request.session.pop(SESSION_KEY, None)
            context["preview"] = csv_import.Preview(kind, errors=errors)
            return render(request, "mentorship/import_preview.html", context)
        if csv_import.needs_mapping(kind, text):
            return _mapping_page(request, program, kind, text, filename)
        return _preview_page(request, program, kind, text, filename)
    context["runs"] = selectors.recent_import_runs(program)
    return render(request, "mentorship/import_form.html", context)


@login_required
@require_POST
def import_map(request, program_uuid, kind):
    """Apply the admin's choice of columns to the uploaded file, then show its preview."""
    program = policy.get_program_for_admin(request.viewer, program_uuid)
    _kind(kind)
    stored = _stored(request, program, kind, "map")
    if stored is None:
        messages.error(
            request, _("That upload is no longer available. Upload the file again, please.")
        )
        return redirect("mentorship:import_upload", program.uuid, kind)
    text, filename = stored["text"], stored.get("filename", "")
    width = len(csv_import.file_header(text))
    mapping: dict[str, int | None] = {}
    for column in csv_import.columns_of(kind):
        raw = request.POST.get(f"map_{column}", "")
        mapping[column] = int(raw) if raw.isdigit() and int(raw) < width else None
    missing = [c for c in csv_import.required_of(kind) if mapping[c] is None]
    chosen = [p for p in mapping.values() if p is not None]
    if missing:
        error = _("Choose a column of the file for %(columns)s.") % {"columns": ", ".join(missing)}
    elif len(chosen) != len(set(chosen)):
        error = _("Each column of the file can stand for one of ours only.")
    else:
        error = ""
    if error:
        return _mapping_page(request, program, kind, text, filename, mapping, error)
    return _preview_page(
        request,
        program,
        kind,
        csv_import.apply_mapping(kind, text, mapping),
        filename,
        header=csv_import.file_header(text),
    )


@login_required
@require_POST
def import_confirm(request, program_uuid, kind):
    program = policy.get_program_for_admin(request.viewer, program_uuid)
    spec = _kind(kind)
    stored = _stored(request, program, kind, "confirm")
    if stored is None:
        messages.error(
            request, _("That preview is no longer available. Upload the file again, please.")
        )
        return redirect("mentorship:import_upload", program.uuid, kind)
    try:
        run = services.import_start(
            program=program,
            kind=kind,
            text=stored["text"],
            filename=stored.get("filename", ""),
            by=request.user,
            skip_bad_rows=request.POST.get("mode") == "valid-rows",
            file_header=stored.get("header"),
        )
    except services.ImportRejected as rejected:
        # The database changed since the preview: show what is wrong now; nothing was saved.
        request.session.pop(SESSION_KEY, None)
        return render(
            request,
            "mentorship/import_preview.html",
            {
                "program": program,
                "kind": kind,
                "spec": spec,
                "form": CSVUploadForm(),
                "preview": rejected.preview,
            },
        )
    except services.MentorshipError as error:
        request.session.pop(SESSION_KEY, None)
        messages.error(request, error.message)
        return redirect("mentorship:import_upload", program.uuid, kind)
    request.session.pop(SESSION_KEY, None)
    if run.batches or run.skipped_csv:
        # A background run: its page shows how far it got, also after the browser was closed.
        return redirect("mentorship:import_run_detail", program.uuid, run.uuid)
    result = run.result
    if kind == "participants":
        messages.success(request, _participants_message(result))
        return redirect("mentorship:member_list", program.uuid)
    messages.success(request, _("Imported %(n)s pairings.") % {"n": result["pairings"]})
    return redirect("mentorship:program_dashboard", program.uuid)


def _participants_message(result: dict) -> str:
    """What a participants import did, for the message after it and for its run's page.
    Every row is an invitation, so it says nothing about who already had an account."""
    invited, already = result.get("invitations", 0), result.get("already_invited", 0)
    again = result.get("sent_again", 0)
    parts = []
    if invited:
        parts.append(
            ngettext(
                "Sent %(n)s invitation: the person joins the program once they accept (signing "
                "up from the e-mail's link if they are new here).",
                "Sent %(n)s invitations: each person joins the program once they accept "
                "(signing up from the e-mail's link if they are new here).",
                invited,
            )
            % {"n": invited}
        )
    if already:
        parts.append(
            ngettext(
                "%(n)s row was invited before and has not been answered yet; it was not sent "
                "again.",
                "%(n)s rows were invited before and have not been answered yet; they were not "
                "sent again.",
                already,
            )
            % {"n": already}
        )
    if again:
        parts.append(
            ngettext(
                "%(n)s row was invited before and its link had expired; it was sent again "
                "with a new link.",
                "%(n)s rows were invited before and their links had expired; they were sent "
                "again with new links.",
                again,
            )
            % {"n": again}
        )
    return " ".join(parts) or _("Nobody was invited.")


def _run_context(run) -> dict:
    message = (
        _participants_message(run.result or {})
        if run.kind == "participants"
        else _("Imported %(n)s pairings.") % {"n": (run.result or {}).get("pairings", 0)}
    )
    return {
        "program": run.program,
        "run": run,
        "result": run.result,
        "kind": run.kind,
        "result_message": message,
    }


@login_required
@require_GET
def import_run_detail(request, program_uuid, run_uuid):
    """A CSV import run: its progress while it runs, its result when it ends."""
    run = policy.get_import_run_for_admin(request.viewer, program_uuid, run_uuid)
    if not run.finished and services.import_run_resume_if_stale(run=run):
        run.refresh_from_db()
    return render(request, "mentorship/import_run.html", _run_context(run))


@login_required
@require_GET
def import_run_progress(request, program_uuid, run_uuid):
    """The run's progress box alone, which the page polls until the run ends."""
    run = policy.get_import_run_for_admin(request.viewer, program_uuid, run_uuid)
    if not run.finished and services.import_run_resume_if_stale(run=run):
        run.refresh_from_db()
    response = render(request, "mentorship/import_run_progress.html", _run_context(run))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def import_run_skipped(request, program_uuid, run_uuid):
    """The rows an import of the valid rows left out, as a CSV file with a reason column."""
    run = policy.get_import_run_for_admin(request.viewer, program_uuid, run_uuid)
    require_found(bool(run.skipped_csv))
    response = HttpResponse(run.skipped_csv, content_type="text/csv; charset=utf-8")
    stem = (run.filename or run.kind).removesuffix(".csv")[:100]
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{stem}-skipped-rows.csv"
    )
    return response
