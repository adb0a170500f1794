"""Goal templates to start from: one per common category of mentoring goal. A template fills
the guided form and suggests milestones; the mentee changes whatever she likes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from .models import Category


@dataclass(frozen=True)
class GoalTemplate:
    key: str
    category: str
    name: str
    title: str
    specific: str
    metric_name: str
    unit: str
    baseline_value: Decimal
    target_value: Decimal
    achievable: str
    relevant: str
    duration_days: int
    milestones: list = field(default_factory=list)

    def initial(self, *, today: date) -> dict:
        """Initial data for the goal form."""
        return {
            "title": self.title,
            "category": self.category,
            "specific": self.specific,
            "metric_name": self.metric_name,
            "unit": self.unit,
            "baseline_value": self.baseline_value,
            "target_value": self.target_value,
            "achievable": self.achievable,
            "relevant": self.relevant,
            "starts_on": today,
            "target_date": today + timedelta(days=self.duration_days),
            "milestones": "\n".join(str(m) for m in self.milestones),
        }


TEMPLATES = [
    GoalTemplate(
        key="career-development",
        category=Category.CAREER_DEVELOPMENT,
        name=_("Career development"),
        title=_("Be ready for a promotion to senior engineer by the next review cycle"),
        specific=_(
            "Close the gaps my manager named against the senior engineer expectations: lead "
            "one cross-team project and write its design document."
        ),
        metric_name=_("Senior expectations met (of 8)"),
        unit=_("expectations"),
        baseline_value=Decimal(3),
        target_value=Decimal(8),
        achievable=_("My manager agreed to give me the next cross-team project to lead."),
        relevant=_("A promotion is my main career goal this year and affects my visa timeline."),
        duration_days=180,
        milestones=[
            _("Review the career ladder with my manager and agree the gaps"),
            _("Write and circulate the design document"),
            _("Present the project results at the engineering all-hands"),
        ],
    ),
    GoalTemplate(
        key="skill-building",
        category=Category.SKILL_BUILDING,
        name=_("Skill building"),
        title=_("Ship three production features in Python within four months"),
        specific=_(
            "Move from reading Python code to owning features end to end, reviewed by the "
            "backend team."
        ),
        metric_name=_("Features shipped"),
        unit=_("features"),
        baseline_value=Decimal(0),
        target_value=Decimal(3),
        achievable=_("I have four hours a week of learning time and a reviewer on the team."),
        relevant=_("Our team is moving services to Python and I want to own part of it."),
        duration_days=120,
        milestones=[
            _("Finish the internal Python onboarding course"),
            _("Ship the first feature with pair programming"),
            _("Ship a feature on my own, end to end"),
        ],
    ),
    GoalTemplate(
        key="leadership",
        category=Category.LEADERSHIP,
        name=_("Leadership"),
        title=_("Run the weekly team meeting on my own for a full quarter"),
        specific=_(
            "Plan the agenda, facilitate the discussion and send the notes for the weekly "
            "team meeting."
        ),
        metric_name=_("Meetings led"),
        unit=_("meetings"),
        baseline_value=Decimal(0),
        target_value=Decimal(12),
        achievable=_("My lead will hand the meeting over and stay in the room at first."),
        relevant=_("I want to become a team lead within two years."),
        duration_days=90,
        milestones=[
            _("Co-facilitate two meetings with my lead"),
            _("Lead a meeting and collect feedback from three colleagues"),
            _("Lead four meetings in a row on my own"),
        ],
    ),
    GoalTemplate(
        key="communication",
        category=Category.COMMUNICATION,
        name=_("Communication"),
        title=_("Deliver a 15-minute presentation to stakeholders within three months"),
        specific=_(
            "Present the quarterly roadmap of my team to the product stakeholders, including "
            "questions at the end."
        ),
        metric_name=_("Practice runs with feedback"),
        unit=_("runs"),
        baseline_value=Decimal(0),
        target_value=Decimal(6),
        achievable=_("My mentor can watch two practice runs; the team will give feedback."),
        relevant=_("Speaking to stakeholders is the skill my last review asked me to grow."),
        duration_days=90,
        milestones=[
            _("Outline the talk and agree it with my manager"),
            _("Give a practice run to the team and collect feedback"),
            _("Deliver the presentation to the stakeholders"),
        ],
    ),
    GoalTemplate(
        key="networking",
        category=Category.NETWORKING,
        name=_("Networking"),
        title=_("Have ten coffee chats with people outside my team by the end of the quarter"),
        specific=_(
            "Meet people in product, design and support for 30 minutes each to learn how "
            "their work connects to mine."
        ),
        metric_name=_("Coffee chats held"),
        unit=_("chats"),
        baseline_value=Decimal(0),
        target_value=Decimal(10),
        achievable=_("One chat a week fits my calendar; my mentor will suggest names."),
        relevant=_("I want to understand the business and be known beyond my own team."),
        duration_days=90,
        milestones=[
            _("List twenty people I would like to meet"),
            _("Hold the first five chats"),
            _("Write up what I learned and share it with my mentor"),
        ],
    ),
    GoalTemplate(
        key="career-transition",
        category=Category.CAREER_TRANSITION,
        name=_("Career transition"),
        title=_("Move from support into a junior data analyst role within six months"),
        specific=_(
            "Build the SQL and dashboard skills the analytics team asks for and apply for an "
            "internal opening."
        ),
        metric_name=_("Portfolio analyses finished"),
        unit=_("analyses"),
        baseline_value=Decimal(0),
        target_value=Decimal(4),
        achievable=_("The analytics lead offered to review my work; I study on Tuesday nights."),
        relevant=_("Data work is what I enjoy most in my current job and pays better."),
        duration_days=180,
        milestones=[
            _("Complete an SQL course and a practice project"),
            _("Publish two analyses of support data"),
            _("Apply for the next internal analyst opening"),
        ],
    ),
    GoalTemplate(
        key="emotional-intelligence",
        category=Category.EMOTIONAL_INTELLIGENCE,
        name=_("Emotional intelligence"),
        title=_("Give constructive feedback in every code review for eight weeks"),
        specific=_(
            "Use the situation-behaviour-impact pattern in written code reviews and in one "
            "spoken conversation a week."
        ),
        metric_name=_("Weeks with constructive feedback given"),
        unit=_("weeks"),
        baseline_value=Decimal(0),
        target_value=Decimal(8),
        achievable=_("I review code daily; my mentor will role-play the harder conversations."),
        relevant=_("Colleagues told me my reviews read as harsh; I want to be trusted."),
        duration_days=60,
        milestones=[
            _("Read about situation-behaviour-impact and practise with my mentor"),
            _("Ask two colleagues how my reviews land"),
            _("Hold one difficult feedback conversation face to face"),
        ],
    ),
    GoalTemplate(
        key="long-term-aspiration",
        category=Category.LONG_TERM_ASPIRATION,
        name=_("Long-term aspiration"),
        title=_("Speak at an international conference within a year"),
        specific=_(
            "Turn my work on accessibility testing into a talk, get it accepted and deliver it."
        ),
        metric_name=_("Talks given (meetups and conferences)"),
        unit=_("talks"),
        baseline_value=Decimal(0),
        target_value=Decimal(3),
        achievable=_("My company pays travel for accepted speakers; I start with meetups."),
        relevant=_("Being known for accessibility opens the staff-engineer path I want."),
        duration_days=360,
        milestones=[
            _("Give the talk at a local meetup"),
            _("Submit proposals to three conferences"),
            _("Deliver the talk at a conference"),
        ],
    ),
]

TEMPLATES_BY_KEY = {t.key: t for t in TEMPLATES}


def template_for(key: str | None) -> GoalTemplate | None:
    return TEMPLATES_BY_KEY.get(key or "")
