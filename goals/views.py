"""Thin views: read through goals.selectors, judge with goals.policy (404 for strangers, 403
for read-only), change through goals.services, render.

The rows of the goal page (updates, comments, history, milestones) and of the review queue
are written here once per page, with their texts translated once and their URLs reversed
once (goals.templatetags.goals_ui): a template partial or translation tag per row cost more
than everything else on those pages."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.access import require, require_found
from core.csvsafe import csv_response
from core.errors import Conflict, InvalidInput
from mentorship.models import DELETED_USER, Role
from mentorship.policy import get_program_for_admin
from mentorship.selectors import member_checklists, open_surveys_for

from . import selectors, services
from .charts import progress_chart
from .forms import (
    AcknowledgeForm,
    CommentEditForm,
    CommentForm,
    GoalForm,
    MilestoneForm,
    ProgramGoalFilterForm,
    ProgressUpdateForm,
    StepForm,
)
from .models import Comment, Goal, GoalStatus, Milestone, MilestoneKind, Visibility
from .policy import (
    GoalAccess,
    can_change_comment,
    goal_access,
    may_change_update,
    visibility_sentences,
)
from .smart import smart_check_data, smart_check_goal
from .templates_catalog import TEMPLATES, template_for
from .templatetags.goals_ui import day, number, url_of
from .weeks import is_due_in_week, week_number, week_start, weeks_label

EVENTS_SHOWN = 50


REVIEW_PAGE_SIZE = 20


# --- Access helpers -------------------------------------------------------------------------


def _goal_for(request, uuid) -> tuple[Goal, GoalAccess]:
    """The goal and the viewer's access to it; 404 when they may not know it exists."""
    goal = selectors.goal_for_page(uuid)
    access = goal_access(request.viewer, goal) if goal is not None else None
    require_found(access is not None and access.exists)
    return goal, access


def _milestone_for_owner(request, uuid) -> Milestone:
    milestone = selectors.milestone_by_uuid(uuid)
    access = goal_access(request.viewer, milestone.goal) if milestone is not None else None
    require_found(access is not None and access.exists)
    require(access.can_edit)
    return milestone


def _comment_for_author(request, uuid) -> Comment:
    """The comment its author may change: 404 when its goal's details are not the viewer's
    to read, 403 for anyone else who reads it."""
    comment = selectors.comment_by_uuid(uuid)
    access = goal_access(request.viewer, comment.goal) if comment is not None else None
    require_found(access is not None and access.can_see_details)
    require(can_change_comment(request.viewer, comment, access))
    return comment


def _next_url(request, default: str) -> str:
    url = request.POST.get("next") or request.GET.get("next")
    # Only a path on this site: redirect() would take any other word for a view name (500).
    if (
        url
        and url.startswith("/")
        and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return url
    return default


def _sentences(program, pairing) -> dict:
    return visibility_sentences(
        mentor_name=pairing.mentor_name if pairing else None,
        program_name=program.name if program else None,
    )


# --- Mentee: goals --------------------------------------------------------------------------


@login_required
@require_GET
def goal_list(request):
    goals = list(selectors.mentee_goals(request.viewer))
    archived_goals = [g for g in goals if g.is_archived]
    goals = [g for g in goals if not g.is_archived]
    open_goals = [g for g in goals if g.is_open]
    closed_goals = [g for g in goals if not g.is_open]
    up, down = _("Move %(t)s up"), _("Move %(t)s down")
    for i, goal in enumerate(open_goals):
        goal.move_url = url_of("goals:goal_move", goal.uuid)
        goal.up_label = up % {"t": goal.title} if i else ""
        goal.down_label = down % {"t": goal.title} if i < len(open_goals) - 1 else ""
    return render(
        request,
        "goals/goal_list.html",
        {
            "open_goals": open_goals,
            "closed_goals": closed_goals,
            "archived_goals": archived_goals,
            "show_archived": request.GET.get("show") == "archived",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def goal_create(request):
    program, pairing = selectors.mentee_goal_context(request.viewer)
    sentences = _sentences(program, pairing)
    # Only the templates her program offers (all of them outside a program).
    offered = program.offered_goal_templates if program else TEMPLATES
    template = template_for(request.GET.get("template"))
    if template not in offered:
        template = None
    if request.method == "POST":
        form = GoalForm(request.POST, creating=True, visibility_sentences=sentences)
        if form.is_valid():
            goal = services.goal_create(
                mentee=request.user,
                data=form.cleaned_data,
                program=program,
                pairing=pairing,
                milestone_titles=form.milestone_titles,
            )
            if "activate" in request.POST:
                try:
                    services.goal_set_status(goal=goal, status=GoalStatus.ACTIVE, by=request.user)
                except services.FocusLimitReached as limit:
                    messages.info(request, _("Your goal was saved as a draft."))
                    return _focus_limit_page(request, goal, limit)
                messages.success(request, _("Your goal is saved and active."))
            else:
                messages.success(request, _("Your goal is saved as a draft."))
            return redirect("goals:goal_detail", uuid=goal.uuid)
    else:
        today = timezone.localdate()
        initial = template.initial(today=today) if template else {"starts_on": today}
        initial["visibility"] = Visibility.MENTOR
        form = GoalForm(initial=initial, creating=True, visibility_sentences=sentences)
    report = smart_check_data(form.data if form.is_bound else form.initial)
    return render(
        request,
        "goals/goal_form.html",
        {
            "form": form,
            "creating": True,
            "templates": offered,
            "chosen_template": template,
            "smart": report,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request, uuid):
    goal, access = _goal_for(request, uuid)
    require(access.can_edit)
    pairing = selectors.goal_open_pairing(goal)
    sentences = _sentences(goal.program, pairing)
    status = 200
    if request.method == "POST":
        form = GoalForm(request.POST, instance=goal, creating=False, visibility_sentences=sentences)
        if form.is_valid():
            try:
                services.goal_update(
                    goal=goal,
                    by=request.user,
                    changes=form.cleaned_data,
                    expected_version=form.cleaned_data["version"],
                )
            except services.StaleGoalError:
                form.add_error(
                    None,
                    _(
                        "This goal was changed in another tab or window after you opened this "
                        "form, so your changes were not saved. Open the goal again to see the "
                        "latest version, then make your changes there."
                    ),
                )
                status = 409
            else:
                messages.success(request, _("Your changes are saved."))
                return redirect("goals:goal_detail", uuid=goal.uuid)
    else:
        form = GoalForm(instance=goal, creating=False, visibility_sentences=sentences)
    report = smart_check_data(form.data) if form.is_bound else smart_check_goal(goal)
    return render(
        request,
        "goals/goal_form.html",
        {"form": form, "creating": False, "goal": goal, "smart": report},
        status=status,
    )


@login_required
@require_POST
def smart_check(request):
    """The SMART check as the mentee types (htmx); guidance only, nothing is saved."""
    return render(request, "goals/_smart_check.html", {"smart": smart_check_data(request.POST)})


def _focus_limit_page(request, goal, limit: services.FocusLimitReached):
    return render(
        request,
        "goals/focus_limit.html",
        {"goal": goal, "limit": limit.limit, "active_goals": limit.active_goals},
        status=409,
    )


@login_required
@require_POST
def goal_status(request, uuid):
    goal, access = _goal_for(request, uuid)
    require(access.can_edit)
    status = request.POST.get("status", "")
    put_on_hold = None
    if request.POST.get("hold"):
        try:
            hold = UUID(request.POST["hold"])
        except ValueError:
            raise InvalidInput(
                _("Choose one of your active goals to put on hold."), field="hold"
            ) from None
        put_on_hold = selectors.mentee_active_goal(request.viewer, hold)
        require_found(put_on_hold is not None)
    try:
        services.goal_set_status(
            goal=goal,
            status=status,
            by=request.user,
            confirm_over_limit=request.POST.get("confirm") == "1",
            put_on_hold=put_on_hold,
        )
    except services.FocusLimitReached as limit:
        return _focus_limit_page(request, goal, limit)
    except InvalidInput as error:
        messages.error(request, error.message)
        return redirect("goals:goal_detail", uuid=goal.uuid)
    if put_on_hold is not None:
        messages.success(
            request,
            _("“%(other)s” is on hold; “%(goal)s” is active.")
            % {"other": put_on_hold.title, "goal": goal.title},
        )
    elif status == GoalStatus.COMPLETED:
        messages.success(request, _("🎉 Goal completed. Well done!"), extra_tags="celebrate")
    else:
        messages.success(
            request, _("Status changed to %(status)s.") % {"status": goal.get_status_display()}
        )
    return redirect(_next_url(request, reverse("goals:goal_detail", args=[goal.uuid])))


def _confirm_page(request, *, title, question, action, cancel_url, button, status=200):
    """The confirmation step of a deletion: a page with one form, no script needed."""
    return render(
        request,
        "goals/confirm.html",
        {
            "title": title,
            "question": question,
            "action": action,
            "cancel_url": cancel_url,
            "button": button,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def goal_delete(request, uuid):
    goal, access = _goal_for(request, uuid)
    require(access.can_edit)
    goal_url = reverse("goals:goal_detail", args=[goal.uuid])
    if request.method == "POST":
        try:
            services.goal_delete(goal=goal, by=request.user)
        except Conflict as error:
            messages.error(request, error.message)
            return redirect(goal_url)
        messages.success(request, _("The draft “%(title)s” is deleted.") % {"title": goal.title})
        return redirect("goals:goal_list")
    if goal.status != GoalStatus.DRAFT:
        messages.info(request, _("Only a draft goal can be deleted; archive this one instead."))
        return redirect(goal_url)
    return _confirm_page(
        request,
        title=_("Delete the draft goal"),
        question=_("Delete the draft “%(title)s” with its milestones? This cannot be undone.")
        % {"title": goal.title},
        action=reverse("goals:goal_delete", args=[goal.uuid]),
        cancel_url=goal_url,
        button=_("Delete the draft"),
    )


@login_required
@require_POST
def goal_archive(request, uuid):
    goal, access = _goal_for(request, uuid)
    require(access.can_edit)
    services.goal_archive(goal=goal, by=request.user)
    messages.success(
        request,
        _("“%(title)s” is archived. You find it under Archived on your goals page.")
        % {"title": goal.title},
    )
    return redirect(_next_url(request, reverse("goals:goal_detail", args=[goal.uuid])))


@login_required
@require_POST
def goal_restore(request, uuid):
    goal, access = _goal_for(request, uuid)
    require(access.can_edit)
    goal = services.goal_restore(goal=goal, by=request.user)
    messages.success(
        request,
        _("“%(title)s” is back, %(status)s.")
        % {"title": goal.title, "status": goal.get_status_display().lower()},
    )
    return redirect(_next_url(request, reverse("goals:goal_detail", args=[goal.uuid])))


@login_required
@require_POST
def goal_move(request, uuid):
    goal, access = _goal_for(request, uuid)
    require(access.can_edit)
    direction = request.POST.get("direction")
    if direction in ("up", "down"):
        services.goal_move(goal=goal, direction=direction, by=request.user)
    return redirect(_next_url(request, reverse("goals:goal_list")))


# --- The goal page --------------------------------------------------------------------------


EVENT_ACTIONS = {
    "created": gettext_lazy("created the goal"),
    "edited": gettext_lazy("edited the goal"),
    "status": gettext_lazy("changed the status"),
    "moved": gettext_lazy("changed the priority"),
    "milestone_added": gettext_lazy("added a milestone"),
    "milestone_completed": gettext_lazy("completed a milestone"),
    "milestone_reopened": gettext_lazy("reopened a milestone"),
    "milestone_edited": gettext_lazy("edited a milestone"),
    "milestone_deleted": gettext_lazy("deleted a milestone"),
    "comment_edited": gettext_lazy("edited a comment"),
    "comment_deleted": gettext_lazy("deleted a comment"),
    "reply": gettext_lazy("replied"),
    "archived": gettext_lazy("archived the goal"),
    "restored": gettext_lazy("restored the goal"),
    "update_logged": gettext_lazy("logged progress"),
    "update_acknowledged": gettext_lazy("acknowledged an update"),
    "update_edited": gettext_lazy("corrected an update"),
    "step_added": gettext_lazy("planned a weekly step"),
    "step_edited": gettext_lazy("changed a weekly step"),
    "step_deleted": gettext_lazy("removed a weekly step"),
    "step_done": gettext_lazy("ticked off a weekly step"),
    "step_undone": gettext_lazy("reopened a weekly step"),
    "update_deleted": gettext_lazy("deleted an update"),
    "comment": gettext_lazy("commented"),
    "kudos": gettext_lazy("sent kudos"),
}


_number = number


def _milestone_list(items: list, *, can_edit: bool, empty_text: str, csrf_token: str):
    """The goal's milestones (or weekly action steps) as the page's list, written once per
    page with their controls for the owner (complete or reopen, move up or down)."""
    if not items:
        return format_html('<p class="text-body-secondary small mb-0">{}</p>', empty_text)
    done_word, done, due, overdue = _("done"), _("done %(d)s"), _("due %(d)s"), _("overdue")
    reopen, mark = _("Reopen %(t)s"), _("Mark %(t)s as done")
    up, down = _("Move %(t)s up"), _("Move %(t)s down")
    edit, delete = _("Edit"), _("Delete")
    edit_label, delete_label = _("Edit %(t)s"), _("Delete %(t)s")
    token = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', csrf_token)
    last = len(items) - 1
    rows = []
    for i, m in enumerate(items):
        if can_edit:
            name = "goals:milestone_reopen" if m.is_done else "goals:milestone_complete"
            control = format_html(
                '<form method="post" action="{}">{}<button type="submit" class="btn btn-sm {} '
                'milestone-toggle" aria-label="{}">{}</button></form>',
                url_of(name, m.uuid),
                token,
                "btn-success" if m.is_done else "btn-outline-secondary",
                (reopen if m.is_done else mark) % {"t": m.title},
                "✓" if m.is_done else mark_safe("&nbsp;&nbsp;"),  # noqa: S308
            )
        else:
            control = format_html(
                '<span class="milestone-state" aria-hidden="true">{}</span>',
                "✓" if m.is_done else "○",
            )
        if m.is_done:
            when = done % {"d": day(m.completed_at)}
        elif m.due_on:
            badge = (
                format_html('<span class="badge text-bg-danger">{}</span> ', overdue)
                if m.is_overdue
                else ""
            )
            when = format_html("{}{}", badge, due % {"d": day(m.due_on)})
        else:
            when = ""
        moves = ""
        if can_edit and last > 0:
            move = url_of("goals:milestone_move", m.uuid)
            button = (
                '<form method="post" action="{}">{}<button class="btn btn-link btn-sm px-1" '
                'name="direction" value="{}" aria-label="{}">{}</button></form>'
            )
            moves = format_html(
                '<div class="btn-group btn-group-sm">{}{}</div>',
                format_html(button, move, token, "up", up % {"t": m.title}, "↑") if i else "",
                format_html(button, move, token, "down", down % {"t": m.title}, "↓")
                if i < last
                else "",
            )
        if can_edit:
            moves = format_html(
                '{}<div class="milestone-actions small text-nowrap">'
                '<a href="{}" aria-label="{}">{}</a> · <a class="link-danger" href="{}" '
                'aria-label="{}">{}</a></div>',
                moves,
                url_of("goals:milestone_edit", m.uuid),
                edit_label % {"t": m.title},
                edit,
                url_of("goals:milestone_delete", m.uuid),
                delete_label % {"t": m.title},
                delete,
            )
        rows.append(
            format_html(
                '<li class="list-group-item d-flex gap-2 align-items-start{}" id="milestone-{}">'
                '{}<div class="flex-grow-1 min-w-0">'
                '<span class="text-break user-text milestone-title">{}</span>{}'
                '<div class="small text-body-secondary">{}</div></div>{}</li>',
                " milestone-done" if m.is_done else "",
                m.uuid,
                control,
                m.title,
                format_html(' <span class="visually-hidden">({})</span>', done_word)
                if m.is_done
                else "",
                when,
                moves,
            )
        )
    return format_html(
        '<ol class="list-group milestone-list">{}</ol>',
        mark_safe("".join(rows)),  # noqa: S308 - built by format_html
    )


def _step_list(
    goal: Goal, steps: list, *, can_edit: bool, csrf_token: str, monday: date
) -> SafeString:
    """The weekly plan on the goal page: each step with its weeks, whether it is done this
    week (a tick box for the mentee when it is due this week) and how many weeks it was
    done in; her edit and delete links."""
    if not steps:
        return format_html(
            '<p class="text-body-secondary small mb-0">{}</p>', _("No weekly steps yet.")
        )
    this_week = week_number(goal.starts_on, monday)
    not_now = _("not planned this week")
    tick, untick = _("Mark %(t)s done this week"), _("Mark %(t)s not done this week")
    edit, delete = _("Edit %(t)s"), _("Delete %(t)s")
    token = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', csrf_token)
    rows = []
    for step in steps:
        due_now = this_week >= 1 and is_due_in_week(step, starts_on=goal.starts_on, monday=monday)
        done_now = step.done_in_week
        if can_edit and due_now:
            control = format_html(
                '<form method="post" action="{}">{}<input type="hidden" name="week" value="{}">'
                '<input type="hidden" name="done" value="{}"><button type="submit" '
                'class="btn btn-sm {} milestone-toggle" aria-label="{}">{}</button></form>',
                url_of("goals:step_tick", step.uuid),
                token,
                monday.isoformat(),
                "0" if done_now else "1",
                "btn-success" if done_now else "btn-outline-secondary",
                (untick if done_now else tick) % {"t": step.title},
                "✓" if done_now else mark_safe("&nbsp;&nbsp;"),  # noqa: S308
            )
        else:
            control = format_html(
                '<span class="milestone-state" aria-hidden="true">{}</span>',
                "✓" if done_now else "○",
            )
        facts = [weeks_label(step)]
        if step.due_on:
            facts.append(_("due %(d)s") % {"d": day(step.due_on)})
        if not due_now:
            facts.append(str(not_now))
        if step.weeks_done:
            facts.append(
                ngettext("done in %(n)d week", "done in %(n)d weeks", step.weeks_done)
                % {"n": step.weeks_done}
            )
        links = ""
        if can_edit:
            links = format_html(
                '<div class="small step-actions"><a href="{}" aria-label="{}">{}</a> · '
                '<a href="{}" class="link-danger" aria-label="{}">{}</a></div>',
                url_of("goals:step_edit", step.uuid),
                edit % {"t": step.title},
                _("Edit"),
                url_of("goals:step_delete", step.uuid),
                delete % {"t": step.title},
                _("Delete"),
            )
        rows.append(
            format_html(
                '<li class="list-group-item d-flex gap-2 align-items-start{}" id="step-{}">{}'
                '<div class="flex-grow-1 min-w-0"><span class="text-break user-text">{}</span>'
                '<div class="small text-body-secondary">{}</div>{}</div></li>',
                " milestone-done" if done_now else "",
                step.uuid,
                control,
                step.title,
                " · ".join(f for f in facts if f),
                links,
            )
        )
    return format_html(
        '<ol class="list-group step-list">{}</ol>',
        mark_safe("".join(rows)),  # noqa: S308 - built by format_html
    )


def _update_rows(
    goal: Goal,
    updates: list,
    *,
    can_acknowledge: bool,
    goal_url: str,
    csrf_token: str,
    author_pk: int | None = None,
) -> SafeString:
    """The updates' entries in the history, written once per page: a template loop over
    them cost more than the rest of the page. `author_pk`: the viewer, when she may correct
    her own updates (goals.policy.may_change_update)."""
    confidence, acked, mentor = _("confidence %(c)s/5"), _("acknowledged by %(name)s"), _("mentor")
    not_acked, reply = _("not yet acknowledged"), _("Reply (optional)")
    acknowledge, edited = _("Acknowledge"), pgettext("label on a corrected update", "edited")
    edit, delete = _("Edit the update of %(d)s"), _("Delete the update of %(d)s")
    logged = _("logged %(d)s")
    token = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', csrf_token)
    rows = []
    for u in updates:
        value = ""
        if u.value is not None:
            value = format_html(
                ' · <strong class="text-body">{} {}</strong>', _number(u.value), goal.unit
            )
        if u.acknowledged_at:
            by = u.acknowledged_by_name or mentor
            state = format_html('<span class="text-success">✓ {}</span>', acked % {"name": by})
        else:
            state = format_html('<span class="text-warning-emphasis">{}</span>', not_acked)
        note = ""
        if u.note:
            note = format_html('<p class="mb-1 text-break user-text">{}</p>', linebreaksbr(u.note))
        form = ""
        if can_acknowledge and not u.acknowledged_at:
            form = format_html(
                '<form method="post" action="{}" class="d-flex flex-wrap gap-2 align-items-end '
                'ack-inline">{}<input type="hidden" name="next" value="{}#updates">'
                '<label class="visually-hidden" for="reply-{}">{}</label>'
                '<input class="form-control form-control-sm flex-grow-1 ack-reply" name="reply" '
                'id="reply-{}" maxlength="4000" placeholder="{}">'
                '<button type="submit" class="btn btn-sm btn-success">{}</button></form>',
                url_of("goals:update_acknowledge", u.uuid),
                token,
                goal_url,
                u.uuid,
                reply,
                u.uuid,
                reply,
                acknowledge,
            )
        when = day(u.occurred_on)
        late = ""
        if timezone.localtime(u.created_at).date() != u.occurred_on:
            late = format_html(
                ' <span class="small">({})</span>', logged % {"d": day(u.created_at)}
            )
        changes = ""
        if author_pk is not None and u.author_id == author_pk:
            changes = format_html(
                '<div class="update-actions small">'
                '<a href="{}" aria-label="{}">{}</a> · '
                '<a href="{}" class="link-danger" aria-label="{}">{}</a></div>',
                url_of("goals:update_edit", u.uuid),
                edit % {"d": when},
                _("Edit"),
                url_of("goals:update_delete", u.uuid),
                delete % {"d": when},
                _("Delete"),
            )
        rows.append(
            format_html(
                '<li class="border-start border-3 ps-3 mb-3 {}" id="update-{}">'
                '<div class="small text-body-secondary"><time datetime="{}">{}</time>{}{}{} · {}'
                " · {}</div>{}{}{}</li>",
                "border-success" if u.acknowledged_at else "border-warning",
                u.uuid,
                u.occurred_on.isoformat(),
                when,
                late,
                format_html(" · <em>{}</em>", edited) if u.edited_at else "",
                value,
                confidence % {"c": u.confidence},
                state,
                note,
                changes,
                form,
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 - built by format_html


def _comment_rows(
    comments: list,
    *,
    viewer_id=None,
    can_comment: bool = False,
    csrf_token: str = "",
    add_url: str = "",
) -> SafeString:
    """The comments' cards with their replies, written once per page; the author's own
    carry Edit and Delete, and everyone who may comment a Reply form."""
    deleted, on_update, kudos = str(DELETED_USER), _("on the update of %(d)s"), _("Kudos")
    gone, edited = _("Comment deleted"), _("edited %(d)s")
    edit, delete, reply = _("Edit"), _("Delete"), _("Reply")
    reply_label, send = _("Your reply"), _("Post reply")
    token = ""
    if can_comment:
        token = format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', csrf_token
        )

    def card(c, *, is_reply: bool) -> SafeString:
        if c.deleted_at is not None:
            return format_html(
                '<article class="card mb-2 comment comment-deleted" id="comment-{}">'
                '<div class="card-body py-2"><p class="mb-0 small text-body-secondary '
                'fst-italic">{}</p></div></article>',
                c.uuid,
                gone,
            )
        badge = ""
        if c.is_kudos:
            badge = format_html('<span aria-hidden="true">🎉</span> <strong>{}</strong> · ', kudos)
        link = ""
        if c.update is not None:
            link = format_html(
                ' · <a href="#update-{}">{}</a>',
                c.update.uuid,
                on_update % {"d": day(c.update.occurred_on, "day_month")},
            )
        if c.edited_at is not None:
            link = format_html(
                '{} · <span class="comment-edited">{}</span>',
                link,
                edited % {"d": day(c.edited_at, "date_time")},
            )
        actions = ""
        if can_comment and viewer_id is not None and c.author_id == viewer_id:
            actions = format_html(
                '<div class="small comment-actions mt-1"><a href="{}">{}</a> · '
                '<a class="link-danger" href="{}">{}</a></div>',
                url_of("goals:comment_edit", c.uuid),
                edit,
                url_of("goals:comment_delete", c.uuid),
                delete,
            )
        return format_html(
            '<article class="card mb-2 comment{}{}" id="comment-{}"><div class="card-body py-2">'
            '<div class="small text-body-secondary">{}<strong class="text-body">{}</strong>'
            ' · <time datetime="{}">{}</time>{}</div>'
            '<p class="mb-0 text-break user-text">{}</p>{}</div></article>',
            " comment-kudos" if c.is_kudos else "",
            " comment-reply" if is_reply else "",
            c.uuid,
            badge,
            c.author_name or deleted,
            day(c.created_at, "c"),
            day(c.created_at, "date_time"),
            link,
            linebreaksbr(c.body),
            actions,
        )

    rows = []
    for c in comments:
        replies = format_html_join("", "{}", ((card(r, is_reply=True),) for r in c.replies))
        form = ""
        if can_comment and c.deleted_at is None:
            form = format_html(
                '<details class="comment-reply-form mb-2"><summary class="small">{}</summary>'
                '<form method="post" action="{}" class="mt-2 comment-form">{}'
                '<input type="hidden" name="parent" value="{}">'
                '<label class="form-label small" for="reply-to-{}">{}</label>'
                '<textarea class="form-control form-control-sm mb-2" name="body" id="reply-to-{}" '
                'rows="2" maxlength="4000" required dir="auto"></textarea>'
                '<button type="submit" class="btn btn-sm btn-outline-primary">{}</button>'
                "</form></details>",
                reply,
                add_url,
                token,
                c.uuid,
                c.uuid,
                reply_label,
                c.uuid,
                send,
            )
        thread = format_html('<div class="comment-replies ms-4">{}{}</div>', replies, form)
        rows.append(format_html("{}{}", card(c, is_reply=False), thread))
    return mark_safe("".join(rows))  # noqa: S308 - built by format_html


def _event_rows(events: list) -> SafeString:
    """The history's entries, written once per page."""
    someone = _("Someone")
    labels = {action: str(label) for action, label in EVENT_ACTIONS.items()}
    rows = []
    for e in events:
        detail = ""
        if e.detail:
            detail = format_html(': <span class="text-break user-text">{}</span>', e.detail)
        rows.append(
            format_html(
                '<li class="mb-2"><time class="text-body-secondary" datetime="{}">{}</time> · '
                "<strong>{}</strong> {}{}</li>",
                day(e.created_at, "c"),
                day(e.created_at, "date_time"),
                e.actor_name or someone,
                labels.get(e.action, e.action),
                detail,
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 - built by format_html


def _goal_page(
    request,
    goal: Goal,
    access: GoalAccess,
    *,
    update_form=None,
    milestone_form=None,
    comment_form=None,
    step_form=None,
    status: int = 200,
):
    monday = week_start(services.mentee_today(goal))
    items = selectors.goal_milestones(goal, monday=monday)
    context = {"goal": goal, "access": access, "progress": goal.progress}
    if access.can_see_details:
        token = get_token(request) if access.can_edit or access.can_acknowledge else ""
        details = selectors.goal_page_details(goal, events_shown=EVENTS_SHOWN)
        goal_url = url_of("goals:goal_detail", goal.uuid)
        updates = details.updates
        updates_html = _update_rows(
            goal,
            updates,
            can_acknowledge=access.can_acknowledge,
            goal_url=goal_url,
            csrf_token=token,
            author_pk=request.user.pk if access.can_edit else None,
        )
        chart = progress_chart(goal, updates)
        chart_rows = [u for u in reversed(updates) if u.value is not None]
        context.update(
            milestones_html=_milestone_list(
                [m for m in items if m.kind == MilestoneKind.MILESTONE],
                can_edit=access.can_edit,
                empty_text=_("No milestones yet."),
                csrf_token=token,
            ),
            actions_html=_step_list(
                goal,
                [m for m in items if m.kind == MilestoneKind.ACTION],
                can_edit=access.can_edit,
                csrf_token=token,
                monday=monday,
            ),
            this_week_number=week_number(goal.starts_on, monday),
            updates=updates,
            chart=chart,
            chart_rows=chart_rows,
            updates_html=updates_html,
            comments=details.comments,
            comments_html=_comment_rows(
                details.comments,
                viewer_id=request.user.pk,
                can_comment=access.can_comment,
                csrf_token=get_token(request) if access.can_comment else "",
                add_url=url_of("goals:comment_add", goal.uuid),
            ),
            events=details.events,
            events_html=_event_rows(details.events),
        )
    if access.can_edit:
        pairing = selectors.goal_open_pairing(goal)
        context.update(
            smart=smart_check_goal(goal),
            visibility_sentence=_sentences(goal.program, pairing)[goal.visibility],
            update_form=update_form or ProgressUpdateForm(goal=goal),
            milestone_form=milestone_form or MilestoneForm(),
            step_form=step_form or StepForm(goal=goal, prefix="step"),
            status_choices=[c for c in GoalStatus.choices if c[0] != goal.status],
        )
    if access.can_comment:
        context["comment_form"] = comment_form or CommentForm(allow_kudos=access.is_mentor)
    return render(request, "goals/goal_detail.html", context, status=status)


@login_required
@require_GET
def goal_detail(request, uuid):
    goal, access = _goal_for(request, uuid)
    return _goal_page(request, goal, access)


@login_required
@require_POST
def milestone_add(request, uuid):
    goal, access = _goal_for(request, uuid)
    require(access.can_edit)
    form = MilestoneForm(request.POST)
    if not form.is_valid():
        return _goal_page(request, goal, access, milestone_form=form, status=400)
    services.milestone_add(goal=goal, by=request.user, **form.cleaned_data)
    messages.success(request, _("Added “%(title)s”.") % {"title": form.cleaned_data["title"]})
    return redirect(reverse("goals:goal_detail", args=[goal.uuid]) + "#milestones")


def _edit_page(request, *, title, form, action, cancel_url, status=200):
    return render(
        request,
        "goals/edit_row.html",
        {"title": title, "form": form, "action": action, "cancel_url": cancel_url},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def milestone_edit(request, uuid):
    milestone = _milestone_for_owner(request, uuid)
    back = reverse("goals:goal_detail", args=[milestone.goal.uuid]) + f"#milestone-{uuid}"
    status = 200
    if request.method == "POST":
        form = MilestoneForm(request.POST, instance=Milestone.objects.get(pk=milestone.pk))
        if form.is_valid():
            services.milestone_edit(milestone=milestone, by=request.user, **form.cleaned_data)
            messages.success(request, _("Your changes are saved."))
            return redirect(back)
        status = 400
    else:
        form = MilestoneForm(instance=milestone)
    return _edit_page(
        request,
        title=_("Edit “%(title)s”") % {"title": milestone.title},
        form=form,
        action=reverse("goals:milestone_edit", args=[milestone.uuid]),
        cancel_url=back,
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def milestone_delete(request, uuid):
    milestone = _milestone_for_owner(request, uuid)
    back = reverse("goals:goal_detail", args=[milestone.goal.uuid]) + "#milestones"
    if request.method == "POST":
        services.milestone_delete(milestone=milestone, by=request.user)
        messages.success(request, _("Deleted “%(title)s”.") % {"title": milestone.title})
        return redirect(back)
    return _confirm_page(
        request,
        title=_("Delete “%(title)s”") % {"title": milestone.title},
        question=_("Delete “%(title)s” from “%(goal)s”? Comments on it stay on the goal.")
        % {"title": milestone.title, "goal": milestone.goal.title},
        action=reverse("goals:milestone_delete", args=[milestone.uuid]),
        cancel_url=back,
        button=_("Delete"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def comment_edit(request, uuid):
    comment = _comment_for_author(request, uuid)
    back = reverse("goals:goal_detail", args=[comment.goal.uuid]) + f"#comment-{uuid}"
    status = 200
    if request.method == "POST":
        form = CommentEditForm(request.POST)
        if form.is_valid():
            services.comment_edit(comment=comment, by=request.user, body=form.cleaned_data["body"])
            messages.success(request, _("Your comment is updated."))
            return redirect(back)
        status = 400
    else:
        form = CommentEditForm(initial={"body": comment.body})
    return _edit_page(
        request,
        title=_("Edit your comment"),
        form=form,
        action=reverse("goals:comment_edit", args=[comment.uuid]),
        cancel_url=back,
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def comment_delete(request, uuid):
    comment = _comment_for_author(request, uuid)
    back = reverse("goals:goal_detail", args=[comment.goal.uuid]) + "#feedback"
    if request.method == "POST":
        services.comment_delete(comment=comment, by=request.user)
        messages.success(request, _("Your comment is deleted."))
        return redirect(back)
    return _confirm_page(
        request,
        title=_("Delete your comment"),
        question=_("Delete your comment? Replies to it stay, under “comment deleted”."),
        action=reverse("goals:comment_delete", args=[comment.uuid]),
        cancel_url=back,
        button=_("Delete"),
    )


@login_required
@require_POST
def milestone_complete(request, uuid):
    milestone = _milestone_for_owner(request, uuid)
    if services.milestone_complete(milestone=milestone, by=request.user):
        messages.success(
            request,
            _("🎉 Milestone reached: “%(title)s”. Nice work!") % {"title": milestone.title},
            extra_tags="celebrate",
        )
    return redirect(reverse("goals:goal_detail", args=[milestone.goal.uuid]) + "#milestones")


@login_required
@require_POST
def milestone_reopen(request, uuid):
    milestone = _milestone_for_owner(request, uuid)
    if services.milestone_reopen(milestone=milestone, by=request.user):
        messages.info(request, _("Reopened “%(title)s”.") % {"title": milestone.title})
    return redirect(reverse("goals:goal_detail", args=[milestone.goal.uuid]) + "#milestones")


@login_required
@require_POST
def milestone_move(request, uuid):
    milestone = _milestone_for_owner(request, uuid)
    direction = request.POST.get("direction")
    if direction in ("up", "down"):
        services.milestone_move(milestone=milestone, direction=direction, by=request.user)
    return redirect(reverse("goals:goal_detail", args=[milestone.goal.uuid]) + "#milestones")


@login_required
@require_POST
def update_add(request, uuid):
    goal, access = _goal_for(request, uuid)
    require(access.can_edit)
    form = ProgressUpdateForm(request.POST, goal=goal)
    if not form.is_valid():
        return _goal_page(request, goal, access, update_form=form, status=400)
    update = services.progress_update_log(
        goal=goal,
        by=request.user,
        value=form.cleaned_data.get("value"),
        note=form.cleaned_data["note"],
        confidence=form.cleaned_data["confidence"],
        occurred_on=form.cleaned_data.get("occurred_on"),
    )
    if update.duplicate:
        messages.info(request, _("This update was already logged a moment ago; it is kept once."))
    else:
        messages.success(request, _("Progress logged."))
    return redirect(reverse("goals:goal_detail", args=[goal.uuid]) + f"#update-{update.uuid}")


def _update_for_author(request, uuid):
    """The update and its goal for its author; 404 for those who may not see it, 403 for
    those who see it but did not write it (goals.policy.may_change_update)."""
    update = selectors.update_by_uuid(uuid)
    access = goal_access(request.viewer, update.goal) if update is not None else None
    require_found(access is not None and access.can_see_details)
    require(may_change_update(request.viewer, access, update))
    return update


@login_required
@require_http_methods(["GET", "POST"])
def update_edit(request, uuid):
    update = _update_for_author(request, uuid)
    goal = update.goal
    if request.method == "POST":
        form = ProgressUpdateForm(request.POST, instance=update, goal=goal)
        was_acknowledged = update.acknowledged_at is not None
        if form.is_valid():
            saved = services.progress_update_edit(
                update=update, by=request.user, changes=form.cleaned_data
            )
            if was_acknowledged and saved.acknowledged_at is None:
                messages.success(
                    request,
                    _("Your update is corrected; it is back with your mentor to acknowledge."),
                )
            else:
                messages.success(request, _("Your update is corrected."))
            return redirect(reverse("goals:goal_detail", args=[goal.uuid]) + f"#update-{uuid}")
        status = 400
    else:
        form = ProgressUpdateForm(instance=update, goal=goal)
        status = 200
    return render(
        request,
        "goals/update_form.html",
        {"form": form, "goal": goal, "update": update},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def update_delete(request, uuid):
    """GET: the confirmation (the page's own step, with or without JavaScript); POST: delete."""
    update = _update_for_author(request, uuid)
    goal = update.goal
    if request.method == "POST":
        services.progress_update_delete(update=update, by=request.user)
        messages.success(request, _("The update is deleted."))
        return redirect(reverse("goals:goal_detail", args=[goal.uuid]) + "#updates")
    return render(request, "goals/update_delete.html", {"goal": goal, "update": update})


# --- The weekly plan -------------------------------------------------------------------------


def _step_for_owner(request, uuid) -> Milestone:
    """A weekly action step of the viewer's own goal; 404 for those who may not see it, 403
    for those who see it but may not change it."""
    step = selectors.step_by_uuid(uuid)
    access = goal_access(request.viewer, step.goal) if step is not None else None
    require_found(access is not None and access.can_see_details)
    require(access.can_edit)
    return step


def _plan_url(goal) -> str:
    return reverse("goals:goal_detail", args=[goal.uuid]) + "#plan"


@login_required
@require_POST
def step_add(request, uuid):
    goal, access = _goal_for(request, uuid)
    require(access.can_edit)
    form = StepForm(request.POST, goal=goal, prefix="step")
    if not form.is_valid():
        return _goal_page(request, goal, access, step_form=form, status=400)
    step = services.step_add(goal=goal, by=request.user, fields=form.cleaned_data)
    if step.duplicate:
        messages.info(
            request, _("“%(title)s” was already added a moment ago.") % {"title": step.title}
        )
    else:
        messages.success(request, _("Added “%(title)s” to the plan.") % {"title": step.title})
    return redirect(_plan_url(goal))


@login_required
@require_http_methods(["GET", "POST"])
def step_edit(request, uuid):
    step = _step_for_owner(request, uuid)
    goal = step.goal
    status = 200
    if request.method == "POST":
        form = StepForm(request.POST, instance=step, goal=goal)
        if form.is_valid():
            services.step_edit(step=step, by=request.user, changes=form.cleaned_data)
            messages.success(request, _("The step is changed."))
            return redirect(_plan_url(goal))
        status = 400
    else:
        form = StepForm(instance=step, goal=goal)
    return render(
        request, "goals/step_form.html", {"form": form, "goal": goal, "step": step}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def step_delete(request, uuid):
    """GET: the confirmation; POST: delete the step and its ticks."""
    step = _step_for_owner(request, uuid)
    goal = step.goal
    if request.method == "POST":
        services.step_delete(step=step, by=request.user)
        messages.success(
            request, _("“%(title)s” is removed from the plan.") % {"title": step.title}
        )
        return redirect(_plan_url(goal))
    return render(
        request,
        "goals/step_delete.html",
        {"goal": goal, "step": step, "weeks": weeks_label(step)},
    )


@login_required
@require_POST
def step_tick(request, uuid):
    """Tick the step off (done=1) or untick it (done=0) for one week (week=YYYY-MM-DD, its
    Monday; this week when left out)."""
    step = _step_for_owner(request, uuid)
    goal = step.goal
    monday = week_start(services.mentee_today(goal))
    if request.POST.get("week"):
        try:
            monday = date.fromisoformat(request.POST["week"])
        except ValueError:
            raise InvalidInput(
                _("Give the week as a date, such as 2026-03-02."), field="week"
            ) from None
    done = request.POST.get("done", "1") != "0"
    fallback = _plan_url(goal)
    try:
        services.step_tick(step=step, by=request.user, week_start=monday, done=done)
    except InvalidInput as error:
        messages.error(request, error.message)
        return redirect(_next_url(request, fallback))
    if done:
        messages.success(request, _("✓ “%(title)s” done this week.") % {"title": step.title})
    else:
        messages.info(request, _("“%(title)s” is open again.") % {"title": step.title})
    return redirect(_next_url(request, fallback))


@login_required
@require_POST
def comment_add(request, uuid):
    goal, access = _goal_for(request, uuid)
    require(access.can_comment)
    parent = None
    if request.POST.get("parent"):
        try:
            parent_uuid = UUID(request.POST["parent"])
        except ValueError:
            parent_uuid = None
        parent = selectors.goal_comment_on(goal, parent_uuid) if parent_uuid else None
        if parent is None:
            raise InvalidInput(_("No such comment on this goal."), field="parent")
    form = CommentForm(request.POST, allow_kudos=access.is_mentor and parent is None)
    if not form.is_valid():
        return _goal_page(request, goal, access, comment_form=form, status=400)
    comment = services.comment_add(
        goal=goal,
        by=request.user,
        body=form.cleaned_data["body"],
        is_kudos=form.cleaned_data.get("is_kudos", False),
        parent=parent,
    )
    messages.success(
        request, _("Your reply is posted.") if parent else _("Your comment is posted.")
    )
    return redirect(reverse("goals:goal_detail", args=[goal.uuid]) + f"#comment-{comment.uuid}")


def _review_items(request, rows, *, form=None, done: bool = False) -> SafeString:
    """The review queue's items (`rows`: selectors.ReviewRow), written once per page; also
    the one item htmx swaps in after acknowledging (`done`) or with the reply's error."""
    confidence, reply = _("confidence %(c)s/5"), _("Reply (optional)")
    acknowledge = _("Acknowledge")
    token = format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
    )
    here = request.get_full_path()
    errors = form.errors.get("reply", []) if form is not None else []
    reply_value = (form["reply"].value() or "") if form is not None else ""
    items = []
    for u in rows:
        value = ""
        if u.value is not None:
            value = format_html(
                '<div class="text-nowrap"><strong>{}</strong> {}</div>',
                _number(u.value),
                u.goal_unit,
            )
        note = ""
        if u.note:
            note = format_html(
                '<p class="mb-2 mt-1 text-break user-text">{}</p>', linebreaksbr(u.note)
            )
        if done:
            end = format_html(
                '<p class="text-success small mb-0" role="status">✓ {}</p>', _("Acknowledged")
            )
        else:
            url = url_of("goals:update_acknowledge", u.uuid)
            end = format_html(
                '<form method="post" action="{0}" class="ack-form" hx-post="{0}" '
                'hx-target="closest .review-item" hx-swap="outerHTML">{1}'
                '<input type="hidden" name="next" value="{2}">'
                '<label class="form-label small" for="reply-{3}">{4}</label>'
                '<textarea class="form-control form-control-sm mb-2{5}" name="reply" '
                'id="reply-{3}" rows="2" maxlength="4000">{6}</textarea>{7}'
                '<button type="submit" class="btn btn-sm btn-success">{8}</button></form>',
                url,
                token,
                here,
                u.uuid,
                reply,
                " is-invalid" if errors else "",
                reply_value,
                format_html_join(
                    "", '<div class="invalid-feedback d-block">{}</div>', ((e,) for e in errors)
                ),
                acknowledge,
            )
        items.append(
            format_html(
                '<li class="list-group-item review-item" id="review-{}">'
                '<div class="d-flex flex-wrap justify-content-between gap-2"><div>'
                '<a class="fw-semibold" href="{}">{}</a>'
                '<div class="small text-body-secondary">{} · <time datetime="{}">{}</time> · {}'
                "</div></div>{}</div>{}{}</li>",
                u.uuid,
                url_of("goals:goal_detail", u.goal_uuid),
                u.goal_title,
                u.mentee_name or u.mentee_email.split("@")[0],
                day(u.created_at, "c"),
                day(u.created_at, "date_time"),
                confidence % {"c": u.confidence},
                value,
                note,
                end,
            )
        )
    return mark_safe("".join(items))  # noqa: S308 - built by format_html


@login_required
@require_POST
def update_acknowledge(request, uuid):
    update = selectors.update_by_uuid(uuid)
    access = goal_access(request.viewer, update.goal) if update is not None else None
    require_found(access is not None and access.exists)
    require(access.can_acknowledge)
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            # 200 so that htmx swaps the item in and shows the message (it ignores 4xx).
            row = selectors.ReviewRow.of(update)
            return HttpResponse(_review_items(request, [row], form=form))
        messages.error(request, form.errors["reply"][0])
        return redirect(_next_url(request, reverse("goals:review_queue")))
    services.progress_update_acknowledge(
        update=update, by=request.user, reply=form.cleaned_data["reply"]
    )
    if request.htmx:
        return HttpResponse(_review_items(request, [selectors.ReviewRow.of(update)], done=True))
    messages.success(
        request,
        _("Acknowledged %(mentee)s's update.") % {"mentee": update.goal.mentee.display_name},
    )
    return redirect(_next_url(request, reverse("goals:review_queue")))


# --- Dashboards and mentor pages ------------------------------------------------------------


@login_required
@require_GET
def mentee_dashboard(request):
    dash = selectors.mentee_dashboard(request.viewer)
    due = _("due %(d)s")
    for m in [*dash.overdue_milestones, *dash.upcoming_milestones]:
        m.url = url_of("goals:goal_detail", m.goal.uuid, "#milestones")
        m.due_text = due % {"d": day(m.due_on, "day_month")}
    deleted = str(DELETED_USER)
    for c in dash.latest_feedback:
        c.url = url_of("goals:goal_detail", c.goal_uuid, "#feedback")
        c.author = c.author_name or deleted
    if dash.this_week:
        here = reverse("goals:mentee_dashboard") + "#this-week"
        tick, untick = _("Mark %(t)s done this week"), _("Mark %(t)s not done this week")
        for step in dash.this_week:
            step.tick_url = url_of("goals:step_tick", step.uuid)
            step.goal_url = url_of("goals:goal_detail", step.goal.uuid, "#plan")
            step.label = (untick if step.done else tick) % {"t": step.title}
        dash.here = here
    checkin = dash.next_checkin
    if checkin is not None:
        checkin.with_text = _("With %(mentor)s") % {"mentor": checkin.mentor.display_name}
        checkin.due_text = day(checkin.next_checkin_due, "weekday_date")
        checkin.is_overdue = checkin.next_checkin_due < timezone.localdate()
    return render(
        request,
        "goals/mentee_dashboard.html",
        {
            "dash": dash,
            "checklists": member_checklists(request.viewer, Role.MENTEE),
            "survey_prompts": open_surveys_for(request.viewer),
        },
    )


@login_required
@require_GET
def mentor_dashboard(request):
    dash = selectors.mentor_dashboard(request.viewer)
    due = _("due %(d)s")
    for pairing in dash.overdue_checkins:
        pairing.due_text = due % {"d": day(pairing.next_checkin_due)}
    return render(
        request,
        "goals/mentor_dashboard.html",
        {
            "dash": dash,
            "checklists": member_checklists(request.viewer, Role.MENTOR),
            "survey_prompts": open_surveys_for(request.viewer),
        },
    )


@login_required
@require_GET
def mentor_mentees(request):
    rows = selectors.mentor_mentees(request.viewer)
    for row in rows:
        n = row.unacknowledged
        row.to_review = (
            ngettext("%(n)s update to review", "%(n)s updates to review", n) % {"n": n} if n else ""
        )
    return render(
        request,
        "goals/mentor_mentees.html",
        {"rows": rows, "review_url": reverse("goals:review_queue")},
    )


@login_required
@require_GET
def review_queue(request):
    # Oldest first, a page at a time: a mentor back from a holiday may find hundreds.
    page = Paginator(selectors.review_queue(request.viewer), REVIEW_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [selectors.ReviewRow._make(row) for row in page.object_list]
    return render(
        request,
        "goals/review_queue.html",
        {"page": page, "updates": rows, "items": _review_items(request, rows)},
    )


@login_required
@require_GET
def program_goals(request, uuid):
    """A program admin's summary of the program's goals: title, status, progress, health;
    details only for goals shared with the program."""
    # 403 for the program's other members, 404 for everyone else (mentorship.policy).
    program = get_program_for_admin(request.viewer, uuid)
    # The outcomes report links here with filters; a bad one is a form error.
    form = ProgramGoalFilterForm(request.GET or None)
    valid = not form.is_bound or form.is_valid()
    filters = form.cleaned_data if form.is_bound and valid else {}
    goals = selectors.program_goal_rows(program, filters=filters)
    if filters.get("health"):
        goals = [g for g in goals if g.progress.health == filters["health"]]
    return render(
        request,
        "goals/program_goals.html",
        {
            "program": program,
            "goals": goals,
            "filter_form": form,
            "filtered": bool(filters) and any(filters.values()),
            # Counted from the list itself: the figures and the goals listed agree.
            "goal_health": selectors.goal_health_distribution(program, goals=goals),
        },
        status=200 if valid else 400,
    )


PROGRAM_GOAL_EXPORT_COLUMNS = (
    gettext_lazy("Mentee"),
    gettext_lazy("Mentee's e-mail"),
    gettext_lazy("Goal"),
    gettext_lazy("Status"),
    gettext_lazy("Progress (%)"),
    gettext_lazy("Health"),
    gettext_lazy("Target date"),
    gettext_lazy("Shared with"),
    gettext_lazy("Archived on"),
)


@login_required
@require_GET
def program_goals_export(request, uuid):
    """The program's goals summary as a CSV: the goals and fields of its page (goals shared
    beyond the mentee only, never a private one)."""
    program = get_program_for_admin(request.viewer, uuid)
    rows = (
        (
            goal.mentee.name,
            goal.mentee.email,
            goal.title,
            goal.get_status_display(),
            goal.progress.percent,
            goal.progress.health_label,
            goal.target_date,
            goal.get_visibility_display(),
            timezone.localdate(goal.archived_at) if goal.archived_at else None,
        )
        for goal in selectors.program_goal_rows(program, include_archived=True)
    )
    return csv_response(
        f"{program.slug}-goals-{timezone.localdate().isoformat()}.csv",
        PROGRAM_GOAL_EXPORT_COLUMNS,
        rows,
    )
