"""
The action table: who may do what to an attempt, and from which status.

The transition table (``statuses.ALLOWED_TRANSITIONS``) says which status moves
exist at all; this table says which move each caller's action makes. Every
caller (the REST layer, the LTI app, the admin, the tasks) names an action of
this table through a verb of ``core.api``; the verbs pass the row to
``transitions.transition_attempt``, which checks ``allowed_from`` and
``already_done`` on the locked row, then the transition table.

A row's ``allowed_from`` lists the statuses from which the action may be taken
(its own target among them when repeating it is harmless); ``already_done``
lists statuses in which the action has in effect happened already, so it
changes nothing and succeeds (a learner library re-sending ``submit``). Any
other status is refused with ExamIllegalStatusTransition.
"""

import enum
from dataclasses import dataclass

from edx_exams.apps.core.statuses import COMPLETED, IN_PROGRESS, PRE_STARTED, RETAKEABLE, REVIEWABLE
from edx_exams.apps.core.statuses import ExamAttemptStatus as S


class Actor(enum.StrEnum):
    """Who takes an action: the attempt's own learner, the course's staff or the exam's proctoring tool."""

    LEARNER = 'learner'
    STAFF = 'staff'
    PROCTORING_TOOL = 'proctoring_tool'


class Channel(enum.StrEnum):
    """Where an action arrives: PUT /api/v1/exams/attempt/{id} (REST) or an LTI message (LTI)."""

    REST = 'rest'
    LTI = 'lti'


@dataclass(frozen=True)
class AttemptAction:
    """One row of the action table."""

    name: str
    # The status the action moves the attempt to; None for an action that changes no status.
    to_status: str | None
    allowed_from: frozenset[str]
    actor: Actor
    channel: Channel
    already_done: frozenset[str] = frozenset()

    def may_start_from(self, status: str) -> bool:
        """Return True if the action may be taken on an attempt that is `status`."""
        return status in self.allowed_from or status in self.already_done


def _f(*statuses: str) -> frozenset[str]:
    return frozenset(statuses)


_ROWS = (
    # The learner, PUT /api/v1/exams/attempt/{id} with {"action": ...}.
    AttemptAction(
        'start', S.STARTED, _f(S.CREATED, S.READY_TO_START, S.STARTED, S.READY_TO_SUBMIT), Actor.LEARNER, Channel.REST
    ),
    AttemptAction('stop', S.READY_TO_SUBMIT, _f(S.STARTED, S.READY_TO_SUBMIT), Actor.LEARNER, Channel.REST),
    AttemptAction('submit', S.SUBMITTED, _f(S.STARTED, S.READY_TO_SUBMIT), Actor.LEARNER, Channel.REST, COMPLETED),
    AttemptAction(
        'click_download_software',
        S.DOWNLOAD_SOFTWARE_CLICKED,
        _f(S.CREATED, S.DOWNLOAD_SOFTWARE_CLICKED),
        Actor.LEARNER,
        Channel.REST,
    ),
    AttemptAction('error', S.ERROR, PRE_STARTED | IN_PROGRESS, Actor.LEARNER, Channel.REST),
    AttemptAction(
        'decline',
        S.DECLINED,
        _f(S.CREATED, S.DOWNLOAD_SOFTWARE_CLICKED, S.READY_TO_START, S.DECLINED),
        Actor.LEARNER,
        Channel.REST,
    ),
    # A finished practice or onboarding attempt is archived and the next attempt created.
    AttemptAction('reset_attempt', None, RETAKEABLE, Actor.LEARNER, Channel.REST),
    # Course staff, same URL.
    AttemptAction('verify', S.VERIFIED, REVIEWABLE, Actor.STAFF, Channel.REST),
    AttemptAction('reject', S.REJECTED, REVIEWABLE, Actor.STAFF, Channel.REST),
    # The learner may continue an errored attempt; their next start creates its continuation.
    AttemptAction('resume', None, _f(S.ERROR), Actor.STAFF, Channel.REST),
    # The learner through the LTI launch endpoints.
    AttemptAction(
        'start_proctoring',
        S.DOWNLOAD_SOFTWARE_CLICKED,
        _f(S.CREATED, S.DOWNLOAD_SOFTWARE_CLICKED),
        Actor.LEARNER,
        Channel.LTI,
    ),
    AttemptAction(
        'end_assessment', S.SUBMITTED, _f(S.STARTED, S.READY_TO_SUBMIT), Actor.LEARNER, Channel.LTI, COMPLETED
    ),
    # The proctoring tool: LtiStartAssessment, then the Assessment Control Service's terminate.
    AttemptAction(
        'start_assessment',
        S.READY_TO_START,
        _f(S.CREATED, S.DOWNLOAD_SOFTWARE_CLICKED, S.READY_TO_START),
        Actor.PROCTORING_TOOL,
        Channel.LTI,
    ),
    AttemptAction('terminate_before_start', S.ERROR, PRE_STARTED, Actor.PROCTORING_TOOL, Channel.LTI),
    AttemptAction('terminate', S.SUBMITTED, IN_PROGRESS, Actor.PROCTORING_TOOL, Channel.LTI, COMPLETED),
    AttemptAction(
        'proctoring_passed', S.VERIFIED, _f(S.SUBMITTED, S.SECOND_REVIEW_REQUIRED), Actor.PROCTORING_TOOL, Channel.LTI
    ),
    AttemptAction(
        'proctoring_needs_review',
        S.SECOND_REVIEW_REQUIRED,
        _f(S.SUBMITTED, S.SECOND_REVIEW_REQUIRED),
        Actor.PROCTORING_TOOL,
        Channel.LTI,
    ),
    AttemptAction(
        'proctoring_error', S.ERROR, _f(S.SUBMITTED, S.SECOND_REVIEW_REQUIRED), Actor.PROCTORING_TOOL, Channel.LTI
    ),
)

# Statuses in which a decision was made (possibly by staff): a proctoring tool's terminate changes nothing.
DECIDED = _f(S.VERIFIED, S.REJECTED, S.ERROR)

ACTIONS: dict[str, AttemptAction] = {row.name: row for row in _ROWS}
# The actions of PUT /api/v1/exams/attempt/{id}.
REST_ACTIONS = frozenset(name for name, row in ACTIONS.items() if row.channel == Channel.REST)
# The outcome of a proctoring tool's terminate, by the status it leads to.
PROCTORING_OUTCOMES: dict[str, AttemptAction] = {
    ACTIONS[name].to_status or '': ACTIONS[name]
    for name in ('proctoring_passed', 'proctoring_needs_review', 'proctoring_error')
}


def get_action(name: str) -> AttemptAction:
    """Return the row of action `name` (KeyError for an action the table does not have)."""
    return ACTIONS[name]
