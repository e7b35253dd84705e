"""
The exam attempt events the LMS consumes, and their outbox form.

An outbox row stores plain JSON (`exam_attempt_payload`); `exam_attempt_data`
turns it back into the openedx-events `ExamAttemptData` when the row is published.
User ids are LMS user ids: the LMS looks the learner up by them (docs/references/client-contracts.rst section 3.4).
"""

from typing import Any

from opaque_keys.edx.keys import CourseKey, UsageKey
from openedx_events.learning.data import ExamAttemptData, UserData, UserPersonalData
from openedx_events.learning.signals import (
    EXAM_ATTEMPT_ERRORED,
    EXAM_ATTEMPT_REJECTED,
    EXAM_ATTEMPT_RESET,
    EXAM_ATTEMPT_SUBMITTED,
    EXAM_ATTEMPT_VERIFIED,
)
from openedx_events.tooling import OpenEdxPublicSignal

from edx_exams.apps.core.models import ExamAttempt, User
from edx_exams.apps.core.statuses import ExamAttemptStatus

# The status an attempt moves into, and the event that transition emits.
STATUS_EVENTS: dict[str, OpenEdxPublicSignal] = {
    ExamAttemptStatus.SUBMITTED: EXAM_ATTEMPT_SUBMITTED,
    ExamAttemptStatus.VERIFIED: EXAM_ATTEMPT_VERIFIED,
    ExamAttemptStatus.REJECTED: EXAM_ATTEMPT_REJECTED,
    ExamAttemptStatus.ERROR: EXAM_ATTEMPT_ERRORED,
}
RESET_EVENT = EXAM_ATTEMPT_RESET
EXAM_ATTEMPT_EVENT_TYPES = frozenset(signal.event_type for signal in (*STATUS_EVENTS.values(), RESET_EVENT))


def exam_attempt_payload(attempt: ExamAttempt, *, requesting_user: User | None) -> dict[str, Any]:
    """Return the JSON form of the ExamAttemptData of `attempt` (what an outbox row stores)."""
    return {
        'student_user': _user_payload(attempt.user),
        'course_key': attempt.exam.course_id,
        'usage_key': attempt.exam.content_id,
        'exam_type': attempt.exam.exam_type,
        'requesting_user': _user_payload(requesting_user) if requesting_user else None,
    }


def exam_attempt_data(payload: dict[str, Any]) -> ExamAttemptData:
    """Rebuild the openedx-events ExamAttemptData from an outbox payload; raise ValueError if it cannot be."""
    requesting = payload.get('requesting_user')
    return ExamAttemptData(
        student_user=_user_data(payload['student_user']),
        course_key=CourseKey.from_string(payload['course_key']),
        usage_key=UsageKey.from_string(payload['usage_key']),
        exam_type=payload['exam_type'],
        requesting_user=_user_data(requesting) if requesting else None,
    )


def _user_payload(user: User) -> dict[str, Any]:
    return {
        'id': user.lms_user_id,
        'is_active': user.is_active,
        'pii': {'username': user.username, 'email': user.email or '', 'name': user.full_name or ''},
    }


def _user_data(payload: dict[str, Any]) -> UserData:
    if payload.get('id') is None:
        raise ValueError(f'User {payload["pii"]["username"]} has no LMS user id; the LMS could not find them.')
    return UserData(
        id=payload['id'],
        is_active=payload['is_active'],
        pii=UserPersonalData(**payload['pii']),
    )
