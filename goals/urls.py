from django.urls import path

from . import views

app_name = "goals"

urlpatterns = [
    path("goals/", views.goal_list, name="goal_list"),
    path("goals/dashboard/", views.mentee_dashboard, name="mentee_dashboard"),
    path("goals/new/", views.goal_create, name="goal_create"),
    path("goals/smart-check/", views.smart_check, name="smart_check"),
    path("goals/<uuid:uuid>/", views.goal_detail, name="goal_detail"),
    path("goals/<uuid:uuid>/edit/", views.goal_edit, name="goal_edit"),
    path("goals/<uuid:uuid>/status/", views.goal_status, name="goal_status"),
    path("goals/<uuid:uuid>/move/", views.goal_move, name="goal_move"),
    path("goals/<uuid:uuid>/delete/", views.goal_delete, name="goal_delete"),
    path("goals/<uuid:uuid>/archive/", views.goal_archive, name="goal_archive"),
    path("goals/<uuid:uuid>/restore/", views.goal_restore, name="goal_restore"),
    path("goals/<uuid:uuid>/milestones/", views.milestone_add, name="milestone_add"),
    path("goals/<uuid:uuid>/updates/", views.update_add, name="update_add"),
    path("goals/<uuid:uuid>/steps/", views.step_add, name="step_add"),
    path("goals/steps/<uuid:uuid>/edit/", views.step_edit, name="step_edit"),
    path("goals/steps/<uuid:uuid>/delete/", views.step_delete, name="step_delete"),
    path("goals/steps/<uuid:uuid>/tick/", views.step_tick, name="step_tick"),
    path("goals/<uuid:uuid>/comments/", views.comment_add, name="comment_add"),
    path(
        "goals/milestones/<uuid:uuid>/complete/",
        views.milestone_complete,
        name="milestone_complete",
    ),
    path("goals/milestones/<uuid:uuid>/reopen/", views.milestone_reopen, name="milestone_reopen"),
    path("goals/milestones/<uuid:uuid>/move/", views.milestone_move, name="milestone_move"),
    path("goals/updates/<uuid:uuid>/edit/", views.update_edit, name="update_edit"),
    path("goals/updates/<uuid:uuid>/delete/", views.update_delete, name="update_delete"),
    path("goals/milestones/<uuid:uuid>/edit/", views.milestone_edit, name="milestone_edit"),
    path("goals/milestones/<uuid:uuid>/delete/", views.milestone_delete, name="milestone_delete"),
    path("goals/comments/<uuid:uuid>/edit/", views.comment_edit, name="comment_edit"),
    path("goals/comments/<uuid:uuid>/delete/", views.comment_delete, name="comment_delete"),
    path(
        "goals/updates/<uuid:uuid>/acknowledge/",
        views.update_acknowledge,
        name="update_acknowledge",
    ),
    path("goals/mentor/", views.mentor_dashboard, name="mentor_dashboard"),
    path("goals/mentor/mentees/", views.mentor_mentees, name="mentor_mentees"),
    path("goals/mentor/review/", views.review_queue, name="review_queue"),
    path("goals/program/<uuid:uuid>/", views.program_goals, name="program_goals"),
    path(
        "goals/program/<uuid:uuid>/goals.csv",
        views.program_goals_export,
        name="program_goals_export",
    ),
]
