"""
The attempt state machine: every status the clients know and the moves between them.

`ALLOWED_TRANSITIONS` is the single source of truth; the functions of
`core.transitions` (`transition_attempt`, and `decide_review` for staff's verdict)
are the only ones that change a status, and they consult nothing else.
"""

from django.db import models


class ExamAttemptStatus(models.TextChoices):
    """Statuses of an exam attempt, as frontend-lib-special-exams and the exams dashboard name them."""

    # The learner may take the exam but has not started it (never stored; the lib's default).
    ELIGIBLE = 'eligible'
    # The attempt exists, proctoring set-up has not begun.
    CREATED = 'created'
    # The learner launched the proctoring tool's system check.
    DOWNLOAD_SOFTWARE_CLICKED = 'download_software_clicked'
    # The proctoring tool reported it is ready (LTI start assessment).
    READY_TO_START = 'ready_to_start'
    # The clock runs; exam content is visible.
    STARTED = 'started'
    # The learner clicked "End my exam" and is on the review-and-submit screen.
    READY_TO_SUBMIT = 'ready_to_submit'
    # Time ran out (kept for the clients; we record expiry directly as submitted).
    TIMED_OUT = 'timed_out'
    # The learner, the timer or the expiry sweep submitted the attempt.
    SUBMITTED = 'submitted'
    # The proctoring review needs a human decision.
    SECOND_REVIEW_REQUIRED = 'second_review_required'
    # The review passed.
    VERIFIED = 'verified'
    # The review failed.
    REJECTED = 'rejected'
    # Past the due date before the learner finished (dashboard label only).
    EXPIRED = 'expired'
    # Something went wrong with the proctoring session.
    ERROR = 'error'
    # The learner opted out of proctoring and takes the exam unproctored.
    DECLINED = 'declined'
    # Onboarding states of a proctored exam whose onboarding exam is not passed.
    ONBOARDING_MISSING = 'onboarding_missing'
    ONBOARDING_PENDING = 'onboarding_pending'
    ONBOARDING_FAILED = 'onboarding_failed'
    ONBOARDING_EXPIRED = 'onboarding_expired'


S = ExamAttemptStatus

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.ELIGIBLE: frozenset(),
    S.CREATED: frozenset({S.DOWNLOAD_SOFTWARE_CLICKED, S.READY_TO_START, S.STARTED, S.ERROR, S.DECLINED}),
    S.DOWNLOAD_SOFTWARE_CLICKED: frozenset({S.READY_TO_START, S.ERROR, S.DECLINED}),
    S.READY_TO_START: frozenset({S.STARTED, S.ERROR, S.DECLINED}),
    S.STARTED: frozenset({S.READY_TO_SUBMIT, S.SUBMITTED, S.ERROR}),
    S.READY_TO_SUBMIT: frozenset({S.STARTED, S.SUBMITTED, S.ERROR}),
    S.TIMED_OUT: frozenset({S.SUBMITTED, S.ERROR}),
    S.SUBMITTED: frozenset({S.SECOND_REVIEW_REQUIRED, S.VERIFIED, S.REJECTED, S.ERROR}),
    S.SECOND_REVIEW_REQUIRED: frozenset({S.VERIFIED, S.REJECTED, S.ERROR}),
    S.VERIFIED: frozenset({S.REJECTED}),
    S.REJECTED: frozenset({S.VERIFIED}),
    S.EXPIRED: frozenset(),
    S.ERROR: frozenset({S.VERIFIED, S.REJECTED, S.STARTED}),
    S.DECLINED: frozenset(),
    S.ONBOARDING_MISSING: frozenset(),
    S.ONBOARDING_PENDING: frozenset(),
    S.ONBOARDING_FAILED: frozenset(),
    S.ONBOARDING_EXPIRED: frozenset(),
}

# The clock runs: the timer shows and the attempt is "active" for /exams/attempt/latest.
IN_PROGRESS = frozenset({S.STARTED, S.READY_TO_SUBMIT})
# Set-up has begun but the clock has not started.
PRE_STARTED = frozenset({S.CREATED, S.DOWNLOAD_SOFTWARE_CLICKED, S.READY_TO_START})
# The learner is done; only review can change the outcome.
COMPLETED = frozenset({S.SUBMITTED, S.SECOND_REVIEW_REQUIRED, S.VERIFIED, S.REJECTED, S.TIMED_OUT, S.EXPIRED})
# Statuses in which a staff member may verify or reject.
REVIEWABLE = frozenset({S.SUBMITTED, S.SECOND_REVIEW_REQUIRED, S.ERROR, S.VERIFIED, S.REJECTED})
# Practice and onboarding attempts in these statuses may be retaken with reset_attempt.
RETAKEABLE = frozenset({S.SUBMITTED, S.VERIFIED, S.REJECTED, S.ERROR, S.SECOND_REVIEW_REQUIRED})
# Statuses from which the learner's own `start` action may (re)start the clock; resuming an
# errored attempt is a staff decision.
LEARNER_STARTABLE = frozenset({S.CREATED, S.READY_TO_START, S.STARTED, S.READY_TO_SUBMIT})
# Statuses in which a proctored exam may still be declined (taken unproctored).
DECLINABLE = frozenset({S.CREATED, S.DOWNLOAD_SOFTWARE_CLICKED, S.READY_TO_START})


def is_transition_allowed(from_status: str, to_status: str) -> bool:
    """Return True if the table allows moving from `from_status` to `to_status`."""
    return to_status in ALLOWED_TRANSITIONS.get(from_status, frozenset())


# Moves the table allows only for attempts taken without proctoring: a proctored
# attempt starts only once the proctoring tool reported ready_to_start.
UNPROCTORED_ONLY_TRANSITIONS = frozenset({(S.CREATED, S.STARTED)})
