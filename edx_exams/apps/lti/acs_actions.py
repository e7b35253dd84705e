"""What each Assessment Control Service action does to an attempt, and the ACS status it answers."""

from collections.abc import Callable
from datetime import datetime

import attrs
from django.conf import settings

from edx_exams.apps.core import api as core_api
from edx_exams.apps.core.api import COMPLETED, IN_PROGRESS, ExamAttempt
from edx_exams.apps.core.api import ExamAttemptStatus as S
from edx_exams.apps.lti import constants as c
from edx_exams.apps.lti.exceptions import LtiError
from edx_exams.apps.lti.models import ProctoringReview
from edx_exams.apps.lti.reviews import FLAG, TERMINATE, record_review

MAX_EXTRA_TIME_MINUTES = 24 * 60


@attrs.frozen
class AcsRequest:
    """An ACS request body, parsed; `sub` and `resource_link_id` are still untrusted values."""

    sub: object
    resource_link_id: object
    attempt_number: int
    action: str
    incident_time: datetime
    severity: float | None
    extra_time: object
    reason_code: str
    reason_msg: str


def acs_status_of(attempt: ExamAttempt) -> str:
    """Return the ACS status (`none`, `running`, `paused`, `terminated`, `complete`) of `attempt`."""
    if attempt.status in IN_PROGRESS:
        return c.ACS_STATUS_PAUSED if core_api.is_attempt_paused(attempt) else c.ACS_STATUS_RUNNING
    if attempt.status == S.ERROR or ProctoringReview.objects.filter(attempt=attempt, action=TERMINATE).exists():
        return c.ACS_STATUS_TERMINATED
    if attempt.status in COMPLETED:
        return c.ACS_STATUS_COMPLETE
    return c.ACS_STATUS_NONE


def _pause(attempt: ExamAttempt, request: AcsRequest) -> tuple[str, None]:
    core_api.pause_attempt_clock(attempt.id)
    return c.ACS_STATUS_PAUSED, None


def _resume(attempt: ExamAttempt, request: AcsRequest) -> tuple[str, None]:
    core_api.resume_attempt_clock(attempt.id)
    return c.ACS_STATUS_RUNNING, None


def _update(attempt: ExamAttempt, request: AcsRequest) -> tuple[str, int]:
    minutes = request.extra_time
    if isinstance(minutes, float) and minutes.is_integer():
        minutes = int(minutes)
    if type(minutes) is not int or not 0 < minutes <= MAX_EXTRA_TIME_MINUTES:
        raise LtiError(f'extra_time must be a whole number of minutes between 1 and {MAX_EXTRA_TIME_MINUTES}.')
    attempt, added = core_api.add_attempt_time(attempt.id, minutes=minutes)
    return acs_status_of(attempt), added


def _flag(attempt: ExamAttempt, request: AcsRequest) -> tuple[str, None]:
    _record_review(attempt, request, FLAG)
    return acs_status_of(core_api.get_attempt(attempt.id)), None


def _terminate(attempt: ExamAttempt, request: AcsRequest) -> tuple[str, None]:
    core_api.end_attempt_for_proctor(attempt.id, outcome=_terminal_status(request))
    _record_review(attempt, request, TERMINATE)
    return c.ACS_STATUS_TERMINATED, None


def _terminal_status(request: AcsRequest) -> str:
    """
    Return the outcome: a review result above the severity threshold needs a human, below it is verified.

    A review result without a severity is not a pass: a human decides.
    """
    if request.reason_code in settings.LTI_ACS_REVIEW_REASON_CODES:
        if request.severity is None or request.severity > settings.LTI_ACS_SECOND_REVIEW_SEVERITY:
            return S.SECOND_REVIEW_REQUIRED
        return S.VERIFIED
    return S.ERROR


def _record_review(attempt: ExamAttempt, request: AcsRequest, action: str) -> None:
    record_review(
        attempt,
        action=action,
        severity=request.severity,
        reason_code=request.reason_code,
        reason_msg=request.reason_msg,
        incident_time=request.incident_time,
    )


ACTION_HANDLERS: dict[str, Callable[[ExamAttempt, AcsRequest], tuple[str, int | None]]] = {
    'pause': _pause,
    'resume': _resume,
    'update': _update,
    'flag': _flag,
    'terminate': _terminate,
}
