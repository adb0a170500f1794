"""URLs of the mentoring domain (programs, invitations, pairings); the site's root URLconf
is mentorship/urls.py. Objects are addressed by UUID, never by their integer id."""

from django.urls import path

from .web import (
    attention,
    choice,
    cohorts,
    conversation,
    imports,
    invitations,
    joining,
    meetings,
    pairings,
    people,
    programs,
    report,
    surveys,
)

app_name = "mentorship"

urlpatterns = [
    path("people/<uuid:user_uuid>/", people.person_profile, name="person"),
    path("programs/", programs.program_list, name="program_list"),
    path("programs/new/", programs.program_create, name="program_create"),
    path("programs/<uuid:program_uuid>/", programs.program_dashboard, name="program_dashboard"),
    path("programs/<uuid:program_uuid>/edit/", programs.program_edit, name="program_edit"),
    path(
        "programs/<uuid:program_uuid>/pairings.csv",
        programs.program_export_pairings,
        name="program_export_pairings",
    ),
    path(
        "programs/<uuid:program_uuid>/members.csv",
        programs.program_export_members,
        name="program_export_members",
    ),
    path(
        "programs/<uuid:program_uuid>/checkins.csv",
        programs.program_export_checkins,
        name="program_export_checkins",
    ),
    path("programs/<uuid:program_uuid>/members/", programs.member_list, name="member_list"),
    path(
        "programs/<uuid:program_uuid>/members/<uuid:membership_uuid>/",
        programs.member_detail,
        name="member_detail",
    ),
    path(
        "programs/<uuid:program_uuid>/members/<uuid:membership_uuid>/remove/",
        programs.member_remove,
        name="member_remove",
    ),
    path("programs/<uuid:program_uuid>/invite/", programs.program_invite, name="program_invite"),
    path(
        "programs/<uuid:program_uuid>/invitations/<uuid:invitation_uuid>/resend/",
        programs.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "programs/<uuid:program_uuid>/invitations/<uuid:invitation_uuid>/revoke/",
        programs.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "programs/<uuid:program_uuid>/import/<str:kind>/",
        imports.import_upload,
        name="import_upload",
    ),
    path(
        "programs/<uuid:program_uuid>/import/<str:kind>/columns/",
        imports.import_map,
        name="import_map",
    ),
    path(
        "programs/<uuid:program_uuid>/import/<str:kind>/confirm/",
        imports.import_confirm,
        name="import_confirm",
    ),
    path(
        "programs/<uuid:program_uuid>/imports/<uuid:run_uuid>/",
        imports.import_run_detail,
        name="import_run_detail",
    ),
    path(
        "programs/<uuid:program_uuid>/imports/<uuid:run_uuid>/skipped-rows.csv",
        imports.import_run_skipped,
        name="import_run_skipped",
    ),
    path(
        "programs/<uuid:program_uuid>/imports/<uuid:run_uuid>/progress/",
        imports.import_run_progress,
        name="import_run_progress",
    ),
    path(
        "programs/<uuid:program_uuid>/match/<uuid:membership_uuid>/",
        programs.program_match,
        name="program_match",
    ),
    path("programs/<uuid:program_uuid>/pairings/new/", programs.pairing_new, name="pairing_new"),
    path("join/", joining.join_list, name="join_list"),
    path("join/<uuid:program_uuid>/", joining.join_apply, name="join_apply"),
    path(
        "applications/<uuid:application_uuid>/withdraw/",
        joining.application_withdraw,
        name="application_withdraw",
    ),
    path(
        "programs/<uuid:program_uuid>/applications/",
        joining.application_queue,
        name="application_queue",
    ),
    path(
        "programs/<uuid:program_uuid>/applications/<uuid:application_uuid>/decide/",
        joining.application_decide,
        name="application_decide",
    ),
    path(
        "programs/<uuid:program_uuid>/setup/dismiss/",
        joining.program_setup_dismiss,
        name="program_setup_dismiss",
    ),
    path(
        "memberships/<uuid:membership_uuid>/checklist/dismiss/",
        joining.checklist_dismiss,
        name="checklist_dismiss",
    ),
    path("memberships/<uuid:membership_uuid>/capacity/", joining.my_capacity, name="my_capacity"),
    path("invitations/", invitations.my_invitations, name="my_invitations"),
    path(
        "invitations/<uuid:invitation_uuid>/answer/",
        invitations.invitation_answer,
        name="invitation_answer",
    ),
    path("invitations/<str:token>/", invitations.invitation_accept, name="invitation_accept"),
    path("mentorships/", pairings.my_pairings, name="my_pairings"),
    path("pairings/<uuid:pairing_uuid>/", pairings.pairing_detail, name="pairing_detail"),
    path(
        "pairings/<uuid:pairing_uuid>/agreement/",
        pairings.pairing_agreement,
        name="pairing_agreement",
    ),
    path(
        "pairings/<uuid:pairing_uuid>/agreement/accept/",
        pairings.pairing_agreement_accept,
        name="pairing_agreement_accept",
    ),
    path(
        "pairings/<uuid:pairing_uuid>/checkins/", pairings.pairing_checkin, name="pairing_checkin"
    ),
    path(
        "pairings/<uuid:pairing_uuid>/checkins/<uuid:checkin_uuid>/edit/",
        pairings.checkin_edit,
        name="checkin_edit",
    ),
    path(
        "pairings/<uuid:pairing_uuid>/checkins/<uuid:checkin_uuid>/delete/",
        pairings.checkin_delete,
        name="checkin_delete",
    ),
    *[
        path(
            f"pairings/<uuid:pairing_uuid>/{action}/",
            pairings.pairing_status,
            {"action": action},
            name=f"pairing_{action}",
        )
        for action in ("pause", "resume", "complete")
    ],
    path("pairings/<uuid:pairing_uuid>/end/", pairings.pairing_end, name="pairing_end"),
    path(
        "pairings/<uuid:pairing_uuid>/conversation/",
        conversation.conversation,
        name="pairing_conversation",
    ),
    path(
        "pairings/<uuid:pairing_uuid>/conversation/new/",
        conversation.conversation_new,
        name="pairing_messages_new",
    ),
    path(
        "pairings/<uuid:pairing_uuid>/conversation/write/",
        conversation.message_post,
        name="pairing_message_post",
    ),
    path(
        "pairings/<uuid:pairing_uuid>/messages/<uuid:message_uuid>/edit/",
        conversation.message_edit,
        name="message_edit",
    ),
    path(
        "pairings/<uuid:pairing_uuid>/messages/<uuid:message_uuid>/delete/",
        conversation.message_delete,
        name="message_delete",
    ),
    path(
        "pairings/<uuid:pairing_uuid>/reassign/", pairings.pairing_reassign, name="pairing_reassign"
    ),
    path(
        "programs/<uuid:program_uuid>/choose-mentor/",
        choice.mentor_choose,
        name="mentor_choose",
    ),
    path(
        "programs/<uuid:program_uuid>/mentor-requests/",
        choice.program_mentor_requests,
        name="program_mentor_requests",
    ),
    path(
        "mentor-requests/<uuid:request_uuid>/",
        choice.mentor_request_detail,
        name="mentor_request_detail",
    ),
    path(
        "mentor-requests/<uuid:request_uuid>/accept/",
        choice.mentor_request_accept,
        name="mentor_request_accept",
    ),
    path(
        "mentor-requests/<uuid:request_uuid>/decline/",
        choice.mentor_request_decline,
        name="mentor_request_decline",
    ),
    path(
        "mentor-requests/<uuid:request_uuid>/withdraw/",
        choice.mentor_request_withdraw,
        name="mentor_request_withdraw",
    ),
    # Meetings of a pair (mentorship/web/meetings.py).
    path("pairings/<uuid:pairing_uuid>/meetings/new/", meetings.meeting_new, name="meeting_new"),
    path(
        "pairings/<uuid:pairing_uuid>/meetings/<uuid:meeting_uuid>/",
        meetings.meeting_detail,
        name="meeting_detail",
    ),
    *[
        path(
            f"pairings/<uuid:pairing_uuid>/meetings/<uuid:meeting_uuid>/{action}/",
            getattr(meetings, f"meeting_{action}"),
            name=f"meeting_{action}",
        )
        for action in ("pick", "counter", "cancel", "log")
    ],
    path(
        "pairings/<uuid:pairing_uuid>/meetings/<uuid:meeting_uuid>/agenda/",
        meetings.agenda_add,
        name="agenda_add",
    ),
    path(
        "pairings/<uuid:pairing_uuid>/meetings/<uuid:meeting_uuid>/agenda/<uuid:item_uuid>/edit/",
        meetings.agenda_edit,
        name="agenda_edit",
    ),
    path(
        "pairings/<uuid:pairing_uuid>/meetings/<uuid:meeting_uuid>/agenda/<uuid:item_uuid>/delete/",
        meetings.agenda_delete,
        name="agenda_delete",
    ),
    path(
        "pairings/<uuid:pairing_uuid>/actions/<uuid:item_uuid>/tick/",
        meetings.action_item_tick,
        name="action_item_tick",
    ),
    # Cohorts: end this one, start the next.
    path("programs/<uuid:program_uuid>/end/", cohorts.program_end, name="program_end"),
    path(
        "programs/<uuid:program_uuid>/next-cohort/",
        cohorts.program_next_cohort,
        name="program_next_cohort",
    ),
    # The outcomes report (mentorship.web.report).
    path(
        "programs/<uuid:program_uuid>/report/",
        report.program_report_page,
        name="program_report",
    ),
    path(
        "programs/<uuid:program_uuid>/report.csv",
        report.program_report_csv,
        name="program_report_csv",
    ),
    path(
        "programs/<uuid:program_uuid>/pairings/",
        report.program_pairings,
        name="program_pairings",
    ),
    # Surveys on a pairing (mentorship.web.surveys).
    path(
        "pairings/<uuid:pairing_uuid>/surveys/<slug:kind>/<int:round>/",
        surveys.survey_answer,
        name="survey_answer",
    ),
    path(
        "pairings/<uuid:pairing_uuid>/survey-answers/<uuid:response_uuid>/edit/",
        surveys.survey_edit,
        name="survey_edit",
    ),
    path(
        "pairings/<uuid:pairing_uuid>/survey-answers/<uuid:response_uuid>/share/",
        surveys.survey_share,
        name="survey_share",
    ),
    path(
        "pairings/<uuid:pairing_uuid>/survey-answers/<uuid:response_uuid>/delete/",
        surveys.survey_delete,
        name="survey_delete",
    ),
    # Nudges: the needs-attention list and the program's nudge rules.
    path(
        "programs/<uuid:program_uuid>/attention/",
        attention.program_attention,
        name="program_attention",
    ),
    path(
        "programs/<uuid:program_uuid>/attention/nudge/",
        attention.attention_nudge,
        name="attention_nudge",
    ),
    path(
        "programs/<uuid:program_uuid>/attention/snooze/",
        attention.attention_snooze,
        name="attention_snooze",
    ),
    path(
        "programs/<uuid:program_uuid>/nudge-rules/",
        attention.nudge_rules,
        name="nudge_rules",
    ),
]
