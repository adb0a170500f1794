"""Access matrix: every URL pattern of the project, requested as each persona with GET and with
an empty POST, against the status the row expects.

Columns, in order: anonymous, mentee A (Mia), mentee B (Noah), A's mentor (Maria), another
mentor of the program (Otto), admin of A's program (Ada), admin of another program (Ari).
"302L" is a redirect to the login page; 302 a redirect elsewhere (a change accepted, or a
signed-in user sent on from the login page); 400 a rejected empty form; 401 the API without
credentials; 403 visible but not changeable; 404 outside the relationship; 405 wrong method.

The URLs point at mentee A's objects (tests/sweeps/conftest.py): her goal shared with her
mentor, its milestone, update and comment, her pairing with its agreement and check-in, an
invitation to the program, her notification, API token, calendar feed and unsubscribe link.
Every request runs in a savepoint that is rolled back, so each one sees the same world.
"""

import pytest

from .access import EXCLUDED, KEPT, client_for, patterns_to_cover, status_of, url_for
from .conftest import PERSONAS

MATRIX = {
    "account_login": ("200 302 302 302 302 302 302", "200 302 302 302 302 302 302"),
    "account_logout": ("302 200 200 200 200 200 200", "302 302 302 302 302 302 302"),
    "account_signup": ("200 302 302 302 302 302 302", "200 302 302 302 302 302 302"),
    "accounts:profile": ("302L 200 200 200 200 200 200", "302L 200 200 200 200 200 200"),
    # The profile page's "Use <zone>?" offer: an empty POST names no zone (400).
    "accounts:use_timezone": ("302L 405 405 405 405 405 405", "302L 400 400 400 400 400 400"),
    "api:account_delete": ("302L 200 200 200 200 200 200", "302L 400 400 400 400 400 400"),
    "api:api-root": ("401 200 200 200 200 200 200", "401 405 405 405 405 405 405"),
    "api:calendar_feed": ("200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "api:calendar_revoke": ("302L 405 405 405 405 405 405", "302L 302 302 302 302 302 302"),
    "api:calendar_rotate": ("302L 405 405 405 405 405 405", "302L 200 200 200 200 200 200"),
    "api:checkin-detail": ("401 200 404 200 404 200 404", "401 405 405 405 405 405 405"),
    "api:checkin-list": ("401 200 200 200 200 200 200", "401 400 400 400 400 400 400"),
    "api:comment-detail": ("401 200 404 200 404 404 404", "401 405 405 405 405 405 405"),
    "api:comment-list": ("401 200 200 200 200 200 200", "401 400 400 400 400 400 400"),
    "api:docs": ("200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "api:export": ("302L 200 200 200 200 200 200", "302L 405 405 405 405 405 405"),
    "api:goal-archive": ("401 405 405 405 405 405 405", "401 200 404 403 404 403 404"),
    "api:goal-detail": ("401 200 404 200 404 200 404", "401 405 405 405 405 405 405"),
    "api:goal-list": ("401 200 200 200 200 200 200", "401 400 400 400 400 400 400"),
    "api:goal-restore": ("401 405 405 405 405 405 405", "401 200 404 403 404 403 404"),
    "api:goal-set-status": ("401 405 405 405 405 405 405", "401 400 404 403 404 403 404"),
    "api:me": ("401 200 200 200 200 200 200", "401 405 405 405 405 405 405"),
    "api:me-export": ("401 200 200 200 200 200 200", "401 405 405 405 405 405 405"),
    "api:milestone-complete": ("401 405 405 405 405 405 405", "401 200 404 403 404 404 404"),
    "api:milestone-detail": ("401 200 404 200 404 404 404", "401 405 405 405 405 405 405"),
    "api:milestone-list": ("401 200 200 200 200 200 200", "401 400 400 400 400 400 400"),
    "api:milestone-reopen": ("401 405 405 405 405 405 405", "401 200 404 403 404 404 404"),
    "api:not-found": ("401 404 404 404 404 404 404", "401 404 404 404 404 404 404"),
    "api:notification-detail": ("401 200 404 404 404 404 404", "401 405 405 405 405 405 405"),
    "api:notification-list": ("401 200 200 200 200 200 200", "401 405 405 405 405 405 405"),
    "api:notification-read": ("401 405 405 405 405 405 405", "401 200 404 404 404 404 404"),
    "api:notification-read-all": ("401 405 405 405 405 405 405", "401 200 200 200 200 200 200"),
    "api:pairing-complete": ("401 405 405 405 405 405 405", "401 403 404 403 404 200 404"),
    "api:pairing-detail": ("401 200 404 200 404 200 404", "401 405 405 405 405 405 405"),
    "api:pairing-end": ("401 405 405 405 405 405 405", "401 403 404 403 404 400 404"),
    "api:pairing-list": ("401 200 200 200 200 200 200", "401 405 405 405 405 405 405"),
    "api:pairing-pause": ("401 405 405 405 405 405 405", "401 403 404 403 404 200 404"),
    # Resuming an active pairing conflicts with its state: 409.
    "api:pairing-resume": ("401 405 405 405 405 405 405", "401 403 404 403 404 409 404"),
    "api:program-detail": ("401 403 403 403 403 200 404", "401 405 405 405 405 405 405"),
    "api:program-export": ("401 403 403 403 403 200 404", "401 405 405 405 405 405 405"),
    "api:program-list": ("401 200 200 200 200 200 200", "401 400 400 400 400 400 400"),
    "api:program-memberships": ("401 403 403 403 403 200 404", "401 405 405 405 405 405 405"),
    "api:progressupdate-acknowledge": (
        "401 405 405 405 405 405 405",
        "401 403 404 200 404 404 404",
    ),
    "api:progressupdate-detail": ("401 200 404 200 404 404 404", "401 405 405 405 405 405 405"),
    "api:progressupdate-list": ("401 200 200 200 200 200 200", "401 400 400 400 400 400 400"),
    "api:step-detail": ("401 200 404 200 404 404 404", "401 405 405 405 405 405 405"),
    "api:step-list": ("401 200 200 200 200 200 200", "401 400 400 400 400 400 400"),
    "api:step-tick": ("401 405 405 405 405 405 405", "401 200 404 403 404 404 404"),
    # Mia's pulse answer, shared with Maria: never readable by an admin, shared or not.
    "api:survey-detail": ("401 200 404 200 404 404 404", "401 405 405 405 405 405 405"),
    "api:survey-list": ("401 200 200 200 200 200 200", "401 400 400 400 400 400 400"),
    "api:schema": ("200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "api:token_revoke": ("302L 405 405 405 405 405 405", "302L 302 404 404 404 404 404"),
    "api:tokens": ("302L 200 200 200 200 200 200", "302L 400 400 400 400 400 400"),
    "api:your_data": ("302L 200 200 200 200 200 200", "302L 405 405 405 405 405 405"),
    "goals:comment_add": ("302L 405 405 405 405 405 405", "302L 400 404 400 404 403 404"),
    "goals:comment_delete": ("302L 403 404 200 404 404 404", "302L 403 404 302 404 404 404"),
    "goals:comment_edit": ("302L 403 404 200 404 404 404", "302L 403 404 400 404 404 404"),
    "goals:goal_archive": ("302L 405 405 405 405 405 405", "302L 302 404 403 404 403 404"),
    "goals:goal_create": ("302L 200 200 200 200 200 200", "302L 200 200 200 200 200 200"),
    "goals:goal_delete": ("302L 302 404 403 404 403 404", "302L 302 404 403 404 403 404"),
    "goals:goal_detail": ("302L 200 404 200 404 200 404", "302L 405 405 405 405 405 405"),
    "goals:goal_edit": ("302L 200 404 403 404 403 404", "302L 200 404 403 404 403 404"),
    "goals:goal_list": ("302L 200 200 200 200 200 200", "302L 405 405 405 405 405 405"),
    "goals:goal_restore": ("302L 405 405 405 405 405 405", "302L 302 404 403 404 403 404"),
    "goals:goal_move": ("302L 405 405 405 405 405 405", "302L 302 404 403 404 403 404"),
    "goals:goal_status": ("302L 405 405 405 405 405 405", "302L 302 404 403 404 403 404"),
    "goals:mentee_dashboard": ("302L 200 200 200 200 200 200", "302L 405 405 405 405 405 405"),
    "goals:mentor_dashboard": ("302L 200 200 200 200 200 200", "302L 405 405 405 405 405 405"),
    "goals:mentor_mentees": ("302L 200 200 200 200 200 200", "302L 405 405 405 405 405 405"),
    "goals:milestone_add": ("302L 405 405 405 405 405 405", "302L 400 404 403 404 403 404"),
    "goals:milestone_complete": ("302L 405 405 405 405 405 405", "302L 302 404 403 404 403 404"),
    "goals:milestone_delete": ("302L 200 404 403 404 403 404", "302L 302 404 403 404 403 404"),
    "goals:milestone_edit": ("302L 200 404 403 404 403 404", "302L 400 404 403 404 403 404"),
    "goals:milestone_move": ("302L 405 405 405 405 405 405", "302L 302 404 403 404 403 404"),
    "goals:milestone_reopen": ("302L 405 405 405 405 405 405", "302L 302 404 403 404 403 404"),
    "goals:program_goals": ("302L 403 403 403 403 200 404", "302L 405 405 405 405 405 405"),
    "goals:program_goals_export": (
        "302L 403 403 403 403 200 404",
        "302L 405 405 405 405 405 405",
    ),
    "goals:review_queue": ("302L 200 200 200 200 200 200", "302L 405 405 405 405 405 405"),
    "goals:smart_check": ("302L 405 405 405 405 405 405", "302L 200 200 200 200 200 200"),
    "goals:update_acknowledge": ("302L 405 405 405 405 405 405", "302L 403 404 302 404 403 404"),
    "goals:update_add": ("302L 405 405 405 405 405 405", "302L 400 404 403 404 403 404"),
    # Only the update's author corrects or removes it: her mentor sees it (403), the
    # program's admin sees only the goal's summary, not its updates (404).
    "goals:update_edit": ("302L 200 404 403 404 404 404", "302L 400 404 403 404 404 404"),
    "goals:update_delete": ("302L 200 404 403 404 404 404", "302L 302 404 403 404 404 404"),
    # The weekly plan is the mentee's: her mentor sees it (403), the admin only the summary.
    "goals:step_add": ("302L 405 405 405 405 405 405", "302L 400 404 403 404 403 404"),
    "goals:step_edit": ("302L 200 404 403 404 404 404", "302L 400 404 403 404 404 404"),
    "goals:step_delete": ("302L 200 404 403 404 404 404", "302L 302 404 403 404 404 404"),
    # An empty POST ticks the step off for this week.
    "goals:step_tick": ("302L 405 405 405 405 405 405", "302L 302 404 403 404 404 404"),
    "healthz": ("200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "home": ("200 302 302 302 302 302 302", "405 405 405 405 405 405 405"),
    # The language switcher: POST only; without a language it changes nothing and goes back.
    "set_language": ("405 405 405 405 405 405 405", "302 302 302 302 302 302 302"),
    # The check-in was logged by the mentor, the feedback given (and shared) by the mentee:
    # each is changed by its author only; the other side and the admins see the check-in
    # (403), admins and outsiders never see the feedback entry (404).
    "mentorship:checkin_delete": ("302L 403 404 200 404 403 404", "302L 403 404 302 404 403 404"),
    "mentorship:checkin_edit": ("302L 403 404 200 404 403 404", "302L 403 404 200 404 403 404"),
    # Joining a program: the list is everyone's own; the world's other program is open with
    # approval, so anyone signed in may apply (an empty form is shown again); mentee A's
    # application is withdrawn by her only and decided by her program's admins only (an
    # empty decision is a 400); the checklist and the capacity page are the member's own.
    "mentorship:join_list": ("302L 200 200 200 200 200 200", "302L 405 405 405 405 405 405"),
    "mentorship:join_apply": ("302L 200 200 200 200 200 200", "302L 200 200 200 200 200 200"),
    "mentorship:application_withdraw": (
        "302L 405 405 405 405 405 405",
        "302L 302 404 404 404 404 404",
    ),
    "mentorship:application_queue": (
        "302L 403 403 403 403 200 404",
        "302L 405 405 405 405 405 405",
    ),
    "mentorship:application_decide": (
        "302L 405 405 405 405 405 405",
        "302L 403 403 403 403 400 404",
    ),
    "mentorship:checklist_dismiss": (
        "302L 405 405 405 405 405 405",
        "302L 302 404 404 404 404 404",
    ),
    "mentorship:my_capacity": ("302L 404 404 200 404 404 404", "302L 404 404 200 404 404 404"),
    # Mentee choice: the choice page is the mentee's own (an empty ask is a 400); a request
    # is seen by its mentee, its mentor and the program's admins; the mentor answers it
    # (accepting this one is refused, she is paired already: back to the request), the
    # mentee withdraws it.
    "mentorship:mentor_choose": ("302L 200 404 404 404 404 404", "302L 400 404 404 404 404 404"),
    "mentorship:mentor_request_detail": (
        "302L 200 404 200 404 200 404",
        "302L 405 405 405 405 405 405",
    ),
    "mentorship:mentor_request_accept": (
        "302L 405 405 405 405 405 405",
        "302L 403 404 302 404 403 404",
    ),
    "mentorship:mentor_request_decline": (
        "302L 405 405 405 405 405 405",
        "302L 403 404 302 404 403 404",
    ),
    "mentorship:mentor_request_withdraw": (
        "302L 405 405 405 405 405 405",
        "302L 302 404 403 404 403 404",
    ),
    "mentorship:program_mentor_requests": (
        "302L 403 403 403 403 200 404",
        "302L 405 405 405 405 405 405",
    ),
    "mentorship:program_setup_dismiss": (
        "302L 405 405 405 405 405 405",
        "302L 403 403 403 403 302 404",
    ),
    "mentorship:import_confirm": ("302L 405 405 405 405 405 405", "302L 403 403 403 403 302 404"),
    "mentorship:import_map": ("302L 405 405 405 405 405 405", "302L 403 403 403 403 302 404"),
    "mentorship:import_upload": ("302L 403 403 403 403 200 404", "302L 403 403 403 403 200 404"),
    # A run names the people it imported: its program's admins only, 404 to everyone else.
    "mentorship:import_run_detail": (
        "302L 404 404 404 404 200 404",
        "302L 405 405 405 405 405 405",
    ),
    "mentorship:import_run_progress": (
        "302L 404 404 404 404 200 404",
        "302L 405 405 405 405 405 405",
    ),
    "mentorship:import_run_skipped": (
        "302L 404 404 404 404 200 404",
        "302L 405 405 405 405 405 405",
    ),
    # Only the account of the invited address answers it; anyone else is told so (403).
    "mentorship:invitation_accept": ("200 403 403 403 403 403 403", "302L 403 403 403 403 403 403"),
    # The world's invitation went to an address none of the personas has.
    "mentorship:invitation_answer": (
        "302L 405 405 405 405 405 405",
        "302L 404 404 404 404 404 404",
    ),
    "mentorship:invitation_resend": (
        "302L 405 405 405 405 405 405",
        "302L 403 403 403 403 302 404",
    ),
    "mentorship:invitation_revoke": (
        "302L 405 405 405 405 405 405",
        "302L 403 403 403 403 302 404",
    ),
    # The conversation is the pair's alone: 404 to everyone else, the program's admins
    # included. The world's message is mentee A's: she corrects or deletes it, her mentor
    # reads it (403). The poll answers with the latest messages (200).
    "mentorship:pairing_conversation": (
        "302L 200 404 200 404 404 404",
        "302L 405 405 405 405 405 405",
    ),
    "mentorship:pairing_messages_new": (
        "302L 200 404 200 404 404 404",
        "302L 405 405 405 405 405 405",
    ),
    "mentorship:pairing_message_post": (
        "302L 405 405 405 405 405 405",
        "302L 400 404 400 404 404 404",
    ),
    "mentorship:message_edit": ("302L 200 404 403 404 404 404", "302L 400 404 403 404 404 404"),
    "mentorship:message_delete": ("302L 200 404 403 404 404 404", "302L 302 404 403 404 404 404"),
    "mentorship:member_list": ("302L 403 403 403 403 200 404", "302L 405 405 405 405 405 405"),
    "mentorship:member_detail": ("302L 403 403 403 403 200 404", "302L 403 403 403 403 400 404"),
    "mentorship:member_remove": ("302L 403 403 403 403 200 404", "302L 403 403 403 403 400 404"),
    "mentorship:my_invitations": ("302L 200 200 200 200 200 200", "302L 405 405 405 405 405 405"),
    "mentorship:meeting_new": ("302L 200 404 200 404 404 404", "302L 200 404 200 404 404 404"),
    "mentorship:meeting_detail": ("302L 200 404 200 404 404 404", "302L 405 405 405 405 405 405"),
    "mentorship:meeting_pick": ("302L 405 405 405 405 405 405", "302L 302 404 302 404 404 404"),
    "mentorship:meeting_counter": ("302L 200 404 200 404 404 404", "302L 200 404 200 404 404 404"),
    "mentorship:meeting_cancel": ("302L 405 405 405 405 405 405", "302L 302 404 302 404 404 404"),
    "mentorship:meeting_log": ("302L 200 404 200 404 404 404", "302L 200 404 200 404 404 404"),
    "mentorship:agenda_add": ("302L 405 405 405 405 405 405", "302L 200 404 200 404 404 404"),
    "mentorship:agenda_edit": ("302L 200 404 200 404 404 404", "302L 200 404 200 404 404 404"),
    "mentorship:agenda_delete": ("302L 405 405 405 405 405 405", "302L 302 404 302 404 404 404"),
    "mentorship:action_item_tick": (
        "302L 405 405 405 405 405 405",
        "302L 302 404 403 404 404 404",
    ),
    "mentorship:my_pairings": ("302L 200 200 200 200 200 200", "302L 405 405 405 405 405 405"),
    "mentorship:pairing_agreement": (
        "302L 200 404 200 404 403 404",
        "302L 200 404 200 404 403 404",
    ),
    "mentorship:pairing_agreement_accept": (
        "302L 405 405 405 405 405 405",
        "302L 302 404 302 404 403 404",
    ),
    "mentorship:pairing_checkin": ("302L 405 405 405 405 405 405", "302L 200 404 200 404 403 404"),
    "mentorship:pairing_complete": ("302L 405 405 405 405 405 405", "302L 403 404 403 404 302 404"),
    "mentorship:pairing_detail": ("302L 200 404 200 404 200 404", "302L 405 405 405 405 405 405"),
    # Mentee A's profile: herself, her mentor and her program's admin; Otto, another mentor
    # of the program, is no match candidate shown to her (mentorship.policy).
    "mentorship:person": ("302L 200 404 200 404 200 404", "302L 405 405 405 405 405 405"),
    "mentorship:pairing_end": ("302L 405 405 405 405 405 405", "302L 403 404 403 404 200 404"),
    # Surveys: Mia answered pulse 1 (sent on to her answer), Maria has yet to; admins answer
    # nothing and read no answer.
    "mentorship:survey_answer": ("302L 302 404 200 404 403 404", "302L 302 404 400 404 403 404"),
    "mentorship:survey_delete": ("302L 200 404 403 404 404 404", "302L 302 404 403 404 404 404"),
    "mentorship:survey_edit": ("302L 200 404 403 404 404 404", "302L 400 404 403 404 404 404"),
    "mentorship:survey_share": ("302L 405 405 405 405 405 405", "302L 302 404 403 404 404 404"),
    "mentorship:pairing_new": ("302L 403 403 403 403 200 404", "302L 403 403 403 403 200 404"),
    "mentorship:pairing_pause": ("302L 405 405 405 405 405 405", "302L 403 404 403 404 302 404"),
    "mentorship:pairing_reassign": ("302L 403 404 403 404 200 404", "302L 403 404 403 404 200 404"),
    "mentorship:pairing_resume": ("302L 405 405 405 405 405 405", "302L 403 404 403 404 302 404"),
    "mentorship:program_create": ("302L 403 403 403 403 200 200", "302L 403 403 403 403 200 200"),
    "mentorship:program_dashboard": (
        "302L 403 403 403 403 200 404",
        "302L 405 405 405 405 405 405",
    ),
    "mentorship:program_edit": ("302L 403 403 403 403 200 404", "302L 403 403 403 403 200 404"),
    # Cohorts: end this one (an empty form is refused: 400), start the next.
    "mentorship:program_end": ("302L 403 403 403 403 200 404", "302L 403 403 403 403 400 404"),
    "mentorship:program_next_cohort": (
        "302L 403 403 403 403 200 404",
        "302L 403 403 403 403 400 404",
    ),
    "mentorship:program_export_pairings": (
        "302L 403 403 403 403 200 404",
        "302L 405 405 405 405 405 405",
    ),
    "mentorship:program_export_members": (
        "302L 403 403 403 403 200 404",
        "302L 405 405 405 405 405 405",
    ),
    "mentorship:program_export_checkins": (
        "302L 403 403 403 403 200 404",
        "302L 405 405 405 405 405 405",
    ),
    "mentorship:program_invite": ("302L 403 403 403 403 200 404", "302L 403 403 403 403 200 404"),
    "mentorship:program_list": ("302L 200 200 200 200 200 200", "302L 405 405 405 405 405 405"),
    "mentorship:program_match": ("302L 403 403 403 403 200 404", "302L 405 405 405 405 405 405"),
    # The outcomes report, its CSV and the pairings list behind it: the program's admins
    # only; its other members get 404 too (mentorship.web.report).
    "mentorship:program_report": ("302L 404 404 404 404 200 404", "302L 405 405 405 405 405 405"),
    "mentorship:program_report_csv": (
        "302L 404 404 404 404 200 404",
        "302L 405 405 405 405 405 405",
    ),
    "mentorship:program_pairings": (
        "302L 404 404 404 404 200 404",
        "302L 405 405 405 405 405 405",
    ),
    "notifications:inbox": ("302L 200 200 200 200 200 200", "302L 405 405 405 405 405 405"),
    "notifications:mark_all_read": ("302L 405 405 405 405 405 405", "302L 302 302 302 302 302 302"),
    "notifications:mark_read": ("302L 405 405 405 405 405 405", "302L 302 404 404 404 404 404"),
    "notifications:open": ("302L 302 404 404 404 404 404", "302L 405 405 405 405 405 405"),
    "notifications:preferences": ("302L 200 200 200 200 200 200", "302L 200 200 200 200 200 200"),
    "notifications:unsubscribe": ("200 200 200 200 200 200 200", "200 200 200 200 200 200 200"),
    "ping": ("200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    # Nudges: the needs-attention list names who waits on whom, so only the program's admins
    # know it exists; an empty POST names no occasion (400).
    "mentorship:program_attention": (
        "302L 404 404 404 404 200 404",
        "302L 405 405 405 405 405 405",
    ),
    "mentorship:attention_nudge": (
        "302L 405 405 405 405 405 405",
        "302L 404 404 404 404 400 404",
    ),
    "mentorship:attention_snooze": (
        "302L 405 405 405 405 405 405",
        "302L 404 404 404 404 400 404",
    ),
    "mentorship:nudge_rules": ("302L 404 404 404 404 200 404", "302L 404 404 404 404 400 404"),
}

# Rows whose URL carries a secret (a signed or random token): holding the link is the
# relationship, so anyone who has it gets the page, signed in or not.
TOKEN_ROWS = {
    "api:calendar_feed": "the feed's secret address is the credential of a calendar app",
    "notifications:unsubscribe": "signed one-click unsubscribe link from an e-mail",
    "mentorship:invitation_accept": "the invitation's single-use token from its e-mail",
}
# Rows that are public on purpose.
PUBLIC_ROWS = {
    "home": "landing page",
    "set_language": "the language switcher, before sign-in too",
    "healthz": "load balancer health check",
    "ping": "benchmark ceiling and liveness",
    "account_login": "login page",
    "account_signup": "signup page",
    "account_logout": "signs out whoever is signed in; anonymous is sent away",
    "api:schema": "OpenAPI schema of the public API",
    "api:docs": "API documentation page",
}
# Personas outside mentee A's relationships: her objects must never answer them with a
# success (2xx) or an accepted change (302 that is not the login redirect).
OUTSIDERS = ("other_mentee", "other_mentor", "other_admin")
# Rows that address one of A's objects (or A's program) by UUID.
OBJECT_ROW_PREFIXES = (
    "mentorship:person",
    "goals:goal_detail",
    "goals:goal_edit",
    "goals:goal_status",
    "goals:goal_move",
    "goals:milestone_",
    "goals:update_",
    "goals:comment_",
    "goals:program_goals",
    "mentorship:pairing_",
    "mentorship:meeting_",
    "mentorship:agenda_",
    "mentorship:action_item_",
    "mentorship:checkin_",
    "mentorship:feedback_",
    "mentorship:message_",
    "mentorship:program_",
    "mentorship:member_list",
    "mentorship:member_detail",
    "mentorship:member_remove",
    "mentorship:import_",
    "mentorship:invitation_revoke",
    "mentorship:invitation_resend",
    "mentorship:application_",
    "mentorship:checklist_",
    "mentorship:my_capacity",
    "mentorship:mentor_choose",
    "mentorship:mentor_request_",
    "notifications:open",
    "notifications:mark_read",
    "api:token_revoke",
    "api:goal-",
    "api:milestone-",
    "api:progressupdate-",
    "api:step-",
    "api:comment-",
    "api:notification-detail",
    "api:notification-read",
    "api:program-",
    "api:pairing-",
    "api:checkin-",
    "api:feedback-",
)
# Of the rows above, these are lists or creation pages whose answer is scoped to the user
# (everyone sees their own list), or pages open to any program admin.
OWN_SCOPE_ROWS = {
    "mentorship:program_list",
    "mentorship:program_create",
    "api:goal-list",
    "api:milestone-list",
    "api:progressupdate-list",
    "api:step-list",
    "api:comment-list",
    "api:notification-read-all",
    "api:program-list",
    "api:pairing-list",
    "api:checkin-list",
    "api:survey-list",
    "mentorship:pairing_new",
}


def is_object_row(name: str) -> bool:
    if name in OWN_SCOPE_ROWS:
        return False
    return any(name.startswith(prefix) for prefix in OBJECT_ROW_PREFIXES)


def test_every_pattern_has_a_row():
    missing = [name for name in patterns_to_cover() if name not in MATRIX]
    assert not missing, f"URL patterns without a row in the access matrix: {missing}"
    stale = [name for name in MATRIX if name not in patterns_to_cover()]
    assert not stale, f"Matrix rows for patterns that no longer exist: {stale}"


def test_exclusions_are_explicit_and_login_pages_stay():
    assert all(reason for reason in EXCLUDED.values())
    assert set(MATRIX) >= KEPT


def test_rows_are_well_formed():
    for name, (get, post) in MATRIX.items():
        assert len(get.split()) == len(PERSONAS), name
        assert len(post.split()) == len(PERSONAS), name


def test_matrix_does_not_leak():
    """The matrix itself may not write a leak down as expected."""
    leaks = []
    for name, cells in MATRIX.items():
        for method, row in zip(("GET", "POST"), cells, strict=True):
            statuses = dict(zip(PERSONAS, row.split(), strict=True))
            guarded = name not in TOKEN_ROWS and name not in PUBLIC_ROWS
            if guarded and statuses["anonymous"] not in ("302L", "401", "405"):
                leaks.append((name, method, "anonymous", statuses["anonymous"]))
            if is_object_row(name):
                for persona in OUTSIDERS:
                    if statuses[persona].startswith("2") or statuses[persona] == "302":
                        leaks.append((name, method, persona, statuses[persona]))
    assert not leaks


@pytest.mark.django_db
def test_access_matrix(world, quiet_request_log):
    clients = {persona: client_for(world.users[persona]) for persona in PERSONAS}
    mismatches = []
    for name in patterns_to_cover():
        url = url_for(name, world)
        for method, expected_row in zip(("GET", "POST"), MATRIX[name], strict=True):
            expected = dict(zip(PERSONAS, expected_row.split(), strict=True))
            for persona in PERSONAS:
                got = status_of(clients[persona], method, url)
                if name == "account_logout" and world.users[persona] is not None:
                    clients[persona] = client_for(world.users[persona])
                if got != expected[persona]:
                    mismatches.append(
                        f"{method} {name} as {persona}: {got}, expected {expected[persona]}"
                    )
    assert not mismatches, "\n".join(mismatches)
