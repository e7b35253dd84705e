"""Reset, retake and resume take an attempt out of the learner's view the same way (core.api, no HTTP)."""

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from edx_exams.apps.core import api
from edx_exams.apps.core.exam_types import ExamType
from edx_exams.apps.core.exceptions import ExamIllegalStatusTransition
from edx_exams.apps.core.models import ExamAttempt
from edx_exams.apps.core.signals.signals import ATTEMPT_RESET
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.core.tests.factories import ExamAttemptFactory, ExamFactory, UserFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def resets_sent():
    sent = []

    def receiver(attempt, actor, **kwargs):
        sent.append((attempt.id, actor.id if actor else None))

    ATTEMPT_RESET.connect(receiver, dispatch_uid='test_archive.receiver')
    yield sent
    ATTEMPT_RESET.disconnect(dispatch_uid='test_archive.receiver')


def _archived_fields(attempt_id):
    attempt = ExamAttempt.objects.get(id=attempt_id)
    return attempt.is_active, attempt.ready_to_resume, attempt.reset_by_id, attempt.reset_at


def test_reset_archives_with_who_and_when_and_tells_the_lms(resets_sent):
    staff = UserFactory(is_staff=True)
    attempt = ExamAttemptFactory(status=S.STARTED, ready_to_resume=False)
    with freeze_time(START):
        api.reset_exam_attempt(attempt.id, actor=staff)
    assert _archived_fields(attempt.id) == (False, False, staff.id, START)
    assert resets_sent == [(attempt.id, staff.id)]


def test_retake_archives_like_a_reset(resets_sent):
    exam = ExamFactory(exam_type=ExamType.PRACTICE)
    attempt = ExamAttemptFactory(exam=exam, status=S.ERROR, ready_to_resume=True)
    with freeze_time(START):
        new = api.update_attempt_with_action(attempt_id=attempt.id, action='reset_attempt', actor=attempt.user)
    assert _archived_fields(attempt.id) == (False, False, attempt.user_id, START)
    assert resets_sent == [(attempt.id, attempt.user_id)]
    assert (new.attempt_number, new.is_active) == (2, True)


def test_resume_archives_without_a_reset(resets_sent):
    staff = UserFactory(is_staff=True)
    exam = ExamFactory(time_limit_mins=60)
    learner = UserFactory()
    with freeze_time(START):
        attempt = api.create_exam_attempt(user=learner, exam_id=exam.id, start_clock=True)
    with freeze_time(START + timedelta(minutes=10)):
        api.update_attempt_with_action(attempt_id=attempt.id, action='error', actor=learner)
        api.update_attempt_with_action(attempt_id=attempt.id, action='resume', actor=staff)
        api.create_exam_attempt(user=learner, exam_id=exam.id, start_clock=True)
    assert _archived_fields(attempt.id) == (False, False, None, None)
    assert resets_sent == []


@pytest.mark.parametrize('action', ['stop', 'error', 'start'])
def test_an_archived_attempt_never_moves_again(action):
    attempt = ExamAttemptFactory(status=S.STARTED, taking_as_proctored=False, is_active=False)
    with pytest.raises(ExamIllegalStatusTransition):
        api.update_attempt_with_action(attempt_id=attempt.id, action=action, actor=attempt.user)
    assert ExamAttempt.objects.get(id=attempt.id).status == S.STARTED
