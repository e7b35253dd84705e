"""
A learner's onboarding status in a course, as the learning MFE's proctoring panel shows it.

Mirrors edx-proctoring's StudentOnboardingStatusView: the status is the raw
status of the learner's relevant onboarding attempt in the course (a verified one
wins, else the most recently changed one), None when there is none, or
`other_course_approved` with an expiration date when only an onboarding exam of
the same proctoring provider in another course was verified within the validity
period. A course without an active onboarding exam has no onboarding status
(404), which the learning MFE reads as "hide the panel".
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from edx_exams.apps.core.exam_types import ExamType
from edx_exams.apps.core.exceptions import ExamPermissionDenied, OnboardingExamDoesNotExist, UserDoesNotExist
from edx_exams.apps.core.models import Exam, ExamAttempt, User
from edx_exams.apps.core.roles import is_course_staff
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.core.timing import get_learner_terms

# edx-proctoring's VERIFICATION_DAYS_VALID: an approved onboarding profile counts in other courses this long.
ONBOARDING_VALIDITY = timedelta(days=730)
OTHER_COURSE_APPROVED = 'other_course_approved'


@dataclass(frozen=True)
class OnboardingStatus:
    """
    The fields of the learning MFE's proctoring panel (docs/references/client-contracts.rst section 2.1).

    `exam` is the onboarding exam to link to, or None once it is past due (the
    panel then shows "past due" instead of a link). `release_date` is None: Studio
    does not publish subsection release dates, and the panel treats None as released.
    """

    status: str | None
    exam: Exam | None
    expiration_date: datetime | None
    release_date: datetime | None
    past_due: bool


def get_onboarding_exam(course_id: str) -> Exam:
    """Return the course's newest active onboarding exam, or raise OnboardingExamDoesNotExist (404)."""
    exam = _onboarding_exams(course_id).first()
    if exam is None:
        raise OnboardingExamDoesNotExist()
    return exam


def get_onboarding_status(
    course_id: str, *, requester: User, username: str | None = None, now: datetime | None = None
) -> OnboardingStatus:
    """
    Return the onboarding status in `course_id` of `requester`, or of `username` when staff asks.

    Raises OnboardingExamDoesNotExist (404) when the course has no active onboarding
    exam, ExamPermissionDenied (403) when a learner asks about someone else, and
    UserDoesNotExist (404) for an unknown username.
    """
    now = now or timezone.now()
    exams = list(_onboarding_exams(course_id))
    if not exams:
        raise OnboardingExamDoesNotExist()
    learner = _learner(course_id, requester=requester, username=username)
    exam, past_due = _exam_for(exams, learner=learner, now=now)
    status, expiration_date = _status(course_id, learner=learner, provider_id=exam.provider_id, now=now)
    return OnboardingStatus(
        status=status,
        exam=None if past_due else exam,
        expiration_date=expiration_date,
        release_date=None,
        past_due=past_due,
    )


def _onboarding_exams(course_id: str) -> QuerySet[Exam]:
    exams = Exam.objects.filter(course_id=course_id, exam_type=ExamType.ONBOARDING, is_active=True)
    return exams.select_related('provider').order_by('-created', '-id')


def _learner(course_id: str, *, requester: User, username: str | None) -> User:
    if not username or username == requester.username:
        return requester
    if not is_course_staff(requester, course_id):
        raise ExamPermissionDenied('Only course staff may see the onboarding status of another learner.')
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist as error:
        raise UserDoesNotExist(f'User {username} does not exist.') from error


def _exam_for(exams: list[Exam], *, learner: User, now: datetime) -> tuple[Exam, bool]:
    """Return the onboarding exam to show (the newest the learner can still take, else the newest) and past-due."""
    for exam in exams:
        if not get_learner_terms(user_id=learner.id, exam=exam).is_past_due(now):
            return exam, False
    return exams[0], True


def _status(
    course_id: str, *, learner: User, provider_id: int | None, now: datetime
) -> tuple[str | None, datetime | None]:
    """Return the learner's onboarding status and, for an approval in another course, when it expires."""
    attempts = ExamAttempt.objects.filter(
        user=learner, exam__exam_type=ExamType.ONBOARDING, reset_at__isnull=True
    ).order_by('-modified', '-id')
    here = list(attempts.filter(exam__course_id=course_id).values_list('status', flat=True))
    if S.VERIFIED in here:
        return S.VERIFIED, None
    elsewhere = (
        attempts.exclude(exam__course_id=course_id)
        .filter(status=S.VERIFIED, exam__provider_id=provider_id, modified__gte=now - ONBOARDING_VALIDITY)
        .values_list('modified', flat=True)
        .first()
    )
    if elsewhere is not None:
        return OTHER_COURSE_APPROVED, elsewhere + ONBOARDING_VALIDITY
    return (here[0] if here else None), None
