"""The learner flow of docs/references/client-contracts.rst section 1.4 over HTTP, for each exam type."""

from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from edx_exams.apps.core import api
from edx_exams.apps.core.models import DueDateExtension, ExamAttempt
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.core.tests.factories import (
    AllowanceFactory,
    CourseExamConfigurationFactory,
    CourseStaffRoleFactory,
    ExamAttemptFactory,
    ExamFactory,
    ProviderFactory,
    UserFactory,
)
from test_utils.auth import JwtClient
from test_utils.courses import COURSE

pytestmark = pytest.mark.django_db


def _proctored_exam(exam_type='proctored', **kwargs):
    provider = ProviderFactory()
    CourseExamConfigurationFactory(course_id=COURSE, provider=provider, **kwargs)
    return ExamFactory(course_id=COURSE, exam_type=exam_type, provider=provider, time_limit_mins=60)


def test_non_exam_content_gives_empty_exam(learner):
    response = learner.exam(COURSE, 'block-v1:edX+DemoX+Demo_Course+type@sequential+block@not_an_exam')
    assert response.status_code == 200
    assert response.json() == {'exam': {}}


def test_exam_object_fields(learner):
    exam = ExamFactory(course_id=COURSE, time_limit_mins=30)
    AllowanceFactory(user=learner.user, exam=exam, extra_time_mins=10)
    body = learner.exam(COURSE, exam.content_id).json()['exam']
    assert body['id'] == exam.id
    assert body['course_id'] == COURSE
    assert body['content_id'] == exam.content_id
    assert body['type'] == 'timed'
    assert body['total_time'] == 40
    assert body['time_limit_mins'] == 30
    assert body['passed_due_date'] is False
    assert body['hide_after_due'] is False
    assert body['is_proctored'] is False
    assert body['is_practice_exam'] is False
    assert body['backend'] is None
    assert body['attempt'] == {}
    assert 'use_legacy_attempt_api' not in body


def test_timed_exam_flow(learner):
    exam = ExamFactory(course_id=COURSE, time_limit_mins=30)
    response = learner.create(exam.id, start_clock='true', attempt_proctored='false')
    assert response.status_code == 200
    attempt_id = response.json()['exam_attempt_id']

    exam_body = learner.exam(COURSE, exam.content_id).json()['exam']
    attempt = exam_body['attempt']
    assert attempt['attempt_id'] == attempt_id
    assert attempt['attempt_status'] == 'started'
    assert 1790 < attempt['time_remaining_seconds'] <= 1800
    assert attempt['exam_display_name'] == exam.exam_name
    assert attempt['exam_type'] == 'timed'
    assert attempt['course_id'] == COURSE
    assert attempt['exam_url_path'].endswith(f'/course/{COURSE}/{exam.content_id}')
    assert 'use_legacy_attempt_api' not in attempt

    # Both attempt sources agree (surprise 8).
    latest = learner.latest().json()
    in_sequence = learner.latest(exam.content_id).json()
    assert latest['attempt_id'] == in_sequence['attempt_id'] == attempt_id
    assert latest['attempt_status'] == in_sequence['attempt_status'] == 'started'
    assert abs(latest['time_remaining_seconds'] - attempt['time_remaining_seconds']) < 5

    assert learner.token(exam.id).status_code == 200
    assert learner.act(attempt_id, 'stop').json() == {'exam_attempt_id': attempt_id}
    assert learner.status_of(COURSE, exam.content_id) == 'ready_to_submit'
    assert learner.act(attempt_id, 'start').status_code == 200
    assert learner.status_of(COURSE, exam.content_id) == 'started'
    assert learner.act(attempt_id, 'submit').json() == {'exam_attempt_id': attempt_id}
    assert learner.status_of(COURSE, exam.content_id) == 'submitted'
    assert learner.latest().json() == {}
    assert learner.latest(exam.content_id).json()['attempt_status'] == 'submitted'
    assert learner.token(exam.id).status_code == 403


def test_repeated_submit_changes_nothing(learner):
    exam = ExamFactory(course_id=COURSE)
    attempt_id = learner.create(exam.id).json()['exam_attempt_id']
    learner.act(attempt_id, 'submit')
    history_before = ExamAttempt.history.filter(id=attempt_id).count()
    end_time = ExamAttempt.objects.get(id=attempt_id).end_time
    response = learner.act(attempt_id, 'submit')
    assert response.status_code == 200
    assert response.json() == {'exam_attempt_id': attempt_id}
    assert ExamAttempt.history.filter(id=attempt_id).count() == history_before
    assert ExamAttempt.objects.get(id=attempt_id).end_time == end_time


@pytest.mark.parametrize('exam_type', ['proctored', 'practice', 'onboarding'])
def test_proctored_types_flow(learner, exam_type):
    exam = _proctored_exam(exam_type)
    response = learner.create(exam.id, start_clock='false', attempt_proctored='true')
    attempt_id = response.json()['exam_attempt_id']
    assert learner.status_of(COURSE, exam.content_id) == 'created'
    # The clock cannot start before the proctoring tool says it is ready.
    assert learner.act(attempt_id, 'start').status_code == 409
    assert learner.token(exam.id).status_code == 403
    assert learner.act(attempt_id, 'click_download_software').status_code == 200
    assert learner.status_of(COURSE, exam.content_id) == 'download_software_clicked'
    api.transition_attempt(attempt_id, S.READY_TO_START, actor=None)  # what the LTI start-assessment does
    assert learner.status_of(COURSE, exam.content_id) == 'ready_to_start'
    assert learner.act(attempt_id, 'start').status_code == 200
    body = learner.exam(COURSE, exam.content_id).json()['exam']
    assert body['attempt']['attempt_status'] == 'started'
    assert body['is_proctored'] is True
    assert body['is_practice_exam'] is (exam_type != 'proctored')
    assert body['backend'] == exam.provider.verbose_name
    assert learner.token(exam.id).status_code == 200
    assert learner.act(attempt_id, 'submit').status_code == 200
    assert learner.status_of(COURSE, exam.content_id) == 'submitted'


@pytest.mark.parametrize(('exam_type', 'outcome'), [('practice', S.SUBMITTED), ('onboarding', S.REJECTED)])
def test_retake_starts_next_attempt_number(learner, exam_type, outcome):
    exam = _proctored_exam(exam_type)
    old = ExamAttemptFactory(user=learner.user, exam=exam, status=outcome)
    response = learner.act(old.id, 'reset_attempt')
    assert response.status_code == 200
    new_id = response.json()['exam_attempt_id']
    assert new_id != old.id
    new = ExamAttempt.objects.get(id=new_id)
    assert (new.attempt_number, new.status, new.is_active) == (2, S.CREATED, True)
    old.refresh_from_db()
    assert old.is_active is False
    assert old.status == outcome
    assert learner.exam(COURSE, exam.content_id).json()['exam']['attempt']['attempt_id'] == new_id


def test_retake_after_a_provider_change_is_taken_with_the_new_provider(learner):
    """The retry after a course changed its provider must launch the course's new tool, not the retired one."""
    exam = _proctored_exam('practice')
    old = ExamAttemptFactory(user=learner.user, exam=exam, status=S.SUBMITTED)
    new_provider = ProviderFactory()
    api.update_course_exam_configuration(COURSE, provider_name=new_provider.name, escalation_email='h@example.com')
    current = learner.exam(COURSE, exam.content_id).json()['exam']
    assert current['attempt']['attempt_id'] == old.id
    response = learner.act(old.id, 'reset_attempt')
    assert response.status_code == 200
    new = ExamAttempt.objects.get(id=response.json()['exam_attempt_id'])
    assert new.exam_id == current['id']
    assert new.exam.provider == new_provider
    assert new.attempt_number > old.attempt_number
    assert learner.exam(COURSE, exam.content_id).json()['exam']['attempt']['attempt_id'] == new.id


def test_retake_of_a_reset_attempt_is_a_409(learner):
    """A reset attempt has no successor to report: the retry is refused, not a 500."""
    old = ExamAttemptFactory(user=learner.user, exam=_proctored_exam('practice'), status=S.SUBMITTED)
    assert learner.client.delete(f'/api/v1/exams/attempt/{old.id}').status_code == 204
    response = learner.act(old.id, 'reset_attempt')
    assert response.status_code == 409
    assert ExamAttempt.objects.filter(user=learner.user).count() == 1


def test_retake_refused_for_proctored_exam_and_running_attempt(learner):
    proctored = ExamAttemptFactory(user=learner.user, exam=_proctored_exam('proctored'), status=S.SUBMITTED)
    assert learner.act(proctored.id, 'reset_attempt').status_code == 400
    practice = ExamAttemptFactory(
        user=learner.user, exam=ExamFactory(course_id=COURSE, exam_type='practice'), status=S.STARTED
    )
    assert learner.act(practice.id, 'reset_attempt').status_code == 409


def test_decline_where_the_course_allows_it(learner):
    exam = _proctored_exam('proctored', allow_opt_out=True)
    attempt_id = learner.create(exam.id, start_clock='false', attempt_proctored='true').json()['exam_attempt_id']
    assert learner.act(attempt_id, 'decline').status_code == 200
    attempt = ExamAttempt.objects.get(id=attempt_id)
    assert attempt.status == S.DECLINED
    assert attempt.taking_as_proctored is False
    assert learner.token(exam.id).status_code == 200


def test_decline_refused_without_opt_out(learner):
    exam = _proctored_exam('proctored', allow_opt_out=False)
    attempt_id = learner.create(exam.id, start_clock='false', attempt_proctored='true').json()['exam_attempt_id']
    response = learner.act(attempt_id, 'decline')
    assert response.status_code == 400
    assert 'opting out' in response.json()['detail']
    assert ExamAttempt.objects.get(id=attempt_id).status == S.CREATED


def test_proctored_attempt_cannot_be_taken_unproctored_by_asking(learner):
    exam = _proctored_exam('proctored')
    attempt_id = learner.create(exam.id, start_clock='true', attempt_proctored='false').json()['exam_attempt_id']
    attempt = ExamAttempt.objects.get(id=attempt_id)
    assert attempt.taking_as_proctored is True
    assert attempt.status == S.CREATED


@pytest.mark.parametrize('start_clock', ['true', True, 'True', '1'])
def test_start_clock_as_string_or_boolean(learner, start_clock):
    exam = ExamFactory(course_id=COURSE)
    response = learner.create(exam.id, start_clock=start_clock)
    assert response.status_code == 200
    assert ExamAttempt.objects.get(id=response.json()['exam_attempt_id']).status == S.STARTED


@pytest.mark.parametrize('start_clock', ['false', False])
def test_create_without_starting(learner, start_clock):
    exam = ExamFactory(course_id=COURSE)
    response = learner.create(exam.id, start_clock=start_clock)
    assert ExamAttempt.objects.get(id=response.json()['exam_attempt_id']).status == S.CREATED


def test_second_create_returns_the_same_attempt(learner):
    exam = ExamFactory(course_id=COURSE)
    first = learner.create(exam.id).json()['exam_attempt_id']
    second = learner.create(exam.id).json()['exam_attempt_id']
    assert first == second
    assert ExamAttempt.objects.filter(user=learner.user, exam=exam).count() == 1


def test_only_one_running_exam(learner):
    first = ExamFactory(course_id=COURSE)
    second = ExamFactory(course_id=COURSE)
    learner.create(first.id)
    response = learner.create(second.id)
    assert response.status_code == 409
    assert 'in progress' in response.json()['detail']


def test_past_due_exam_refuses_new_attempts_except_practice(learner):
    past = timezone.now() - timedelta(days=1)
    exam = ExamFactory(course_id=COURSE, due_date=past)
    response = learner.create(exam.id)
    assert response.status_code == 400
    assert 'due date' in response.json()['detail']
    practice = ExamFactory(course_id=COURSE, exam_type='practice', due_date=past)
    assert learner.create(practice.id, start_clock='false').status_code == 200


def test_staff_review_actions(learner):
    exam = _proctored_exam('proctored')
    attempt = ExamAttemptFactory(user=learner.user, exam=exam, status=S.SUBMITTED)
    staff = CourseStaffRoleFactory(course_id=COURSE).user
    staff_client = JwtClient().as_user(staff)
    assert learner.act(attempt.id, 'verify').status_code == 403
    response = staff_client.put(f'/api/v1/exams/attempt/{attempt.id}', {'action': 'verify'}, format='json')
    assert response.json() == {'exam_attempt_id': attempt.id}
    attempt.refresh_from_db()
    assert attempt.status == S.VERIFIED
    other_course_staff = CourseStaffRoleFactory(course_id='course-v1:Other+X+Y').user
    response = (
        JwtClient()
        .as_user(other_course_staff)
        .put(f'/api/v1/exams/attempt/{attempt.id}', {'action': 'reject'}, format='json')
    )
    assert response.status_code == 403
    global_staff = JwtClient().as_user(UserFactory(is_staff=True))
    assert (
        global_staff.put(f'/api/v1/exams/attempt/{attempt.id}', {'action': 'reject'}, format='json').status_code == 200
    )
    attempt.refresh_from_db()
    assert attempt.status == S.REJECTED


def test_review_refused_before_submission(learner):
    attempt = ExamAttemptFactory(user=learner.user, exam=ExamFactory(course_id=COURSE), status=S.STARTED)
    staff = JwtClient().as_user(UserFactory(is_staff=True))
    assert staff.put(f'/api/v1/exams/attempt/{attempt.id}', {'action': 'verify'}, format='json').status_code == 409


def test_learner_cannot_touch_another_learners_attempt(learner):
    other = ExamAttemptFactory(exam=ExamFactory(course_id=COURSE), status=S.STARTED)
    for action in ('start', 'stop', 'submit', 'error', 'reset_attempt', 'decline', 'click_download_software'):
        assert learner.act(other.id, action).status_code == 403
    other.refresh_from_db()
    assert other.status == S.STARTED


def test_learner_error_action_records_error(learner):
    exam = _proctored_exam('proctored')
    attempt = ExamAttemptFactory(user=learner.user, exam=exam, status=S.STARTED)
    response = learner.act(attempt.id, 'error', detail='exam reentry disallowed')
    assert response.status_code == 200
    attempt.refresh_from_db()
    assert attempt.status == S.ERROR
    done = ExamAttemptFactory(user=learner.user, exam=ExamFactory(course_id=COURSE), status=S.VERIFIED)
    assert learner.act(done.id, 'error').status_code == 409


# --- expiry -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize('reader', ['exam', 'latest', 'latest_in_sequence'])
def test_time_up_is_submitted_on_read(learner, reader):
    exam = ExamFactory(course_id=COURSE, time_limit_mins=30)
    start = timezone.now()
    with freeze_time(start):
        attempt_id = learner.create(exam.id).json()['exam_attempt_id']
    with freeze_time(start + timedelta(minutes=30, seconds=1)):
        if reader == 'exam':
            attempt = learner.exam(COURSE, exam.content_id).json()['exam']['attempt']
        elif reader == 'latest':
            attempt = learner.latest().json()
        else:
            attempt = learner.latest(exam.content_id).json()
        assert attempt['attempt_status'] == 'submitted'
        assert attempt['time_remaining_seconds'] == 0
        # Returned once: afterwards no attempt is running.
        assert learner.latest().json() == {}
    stored = ExamAttempt.objects.get(id=attempt_id)
    assert stored.end_time == stored.expires_at


def test_sweep_submits_abandoned_attempts_after_grace(learner, settings):
    settings.EXAM_ATTEMPT_EXPIRY_GRACE_SECONDS = 30
    exam = ExamFactory(course_id=COURSE, time_limit_mins=10)
    start = timezone.now()
    with freeze_time(start):
        attempt_id = learner.create(exam.id).json()['exam_attempt_id']
    assert api.expire_overdue_attempts(now=start + timedelta(minutes=10, seconds=29)) == 0
    assert ExamAttempt.objects.get(id=attempt_id).status == S.STARTED
    assert api.expire_overdue_attempts(now=start + timedelta(minutes=10, seconds=31)) == 1
    attempt = ExamAttempt.objects.get(id=attempt_id)
    assert attempt.status == S.SUBMITTED
    assert attempt.end_time == start.replace(microsecond=attempt.end_time.microsecond) + timedelta(minutes=10)
    assert api.expire_overdue_attempts(now=start + timedelta(minutes=20)) == 0


def test_sweep_runs_as_celery_task(learner):
    from edx_exams.apps.core.tasks import expire_overdue_attempts

    exam = ExamFactory(course_id=COURSE, time_limit_mins=1)
    with freeze_time(timezone.now() - timedelta(hours=1)):
        attempt_id = api.create_exam_attempt(user=learner.user, exam_id=exam.id, start_clock=True).id
    expire_overdue_attempts.delay()
    assert ExamAttempt.objects.get(id=attempt_id).status == S.SUBMITTED


def test_learner_submit_after_sweep_is_a_no_op(learner):
    exam = ExamFactory(course_id=COURSE, time_limit_mins=1)
    with freeze_time(timezone.now() - timedelta(hours=1)):
        attempt_id = api.create_exam_attempt(user=learner.user, exam_id=exam.id, start_clock=True).id
    api.expire_overdue_attempts()
    assert learner.act(attempt_id, 'submit').status_code == 200
    assert ExamAttempt.history.filter(id=attempt_id, status=S.SUBMITTED).count() == 1


def test_due_date_caps_the_timer(learner):
    now = timezone.now()
    exam = ExamFactory(course_id=COURSE, time_limit_mins=60, due_date=now + timedelta(minutes=10))
    with freeze_time(now):
        learner.create(exam.id)
        remaining = learner.latest().json()['time_remaining_seconds']
    assert remaining == pytest.approx(600, abs=1)


def test_not_started_attempt_reports_full_time(learner):
    exam = ExamFactory(course_id=COURSE, time_limit_mins=30)
    AllowanceFactory(user=learner.user, exam=exam, extra_time_mins=5)
    learner.create(exam.id, start_clock='false')
    attempt = learner.exam(COURSE, exam.content_id).json()['exam']['attempt']
    assert attempt['time_remaining_seconds'] == pytest.approx(35 * 60, abs=1)


def test_latest_agrees_with_the_exam_on_a_not_started_attempt(learner):
    """L1 and L2/L3 must report the same time (section 5, item 8): allowance and personal due date included."""
    now = timezone.now()
    exam = ExamFactory(course_id=COURSE, time_limit_mins=30, due_date=now + timedelta(minutes=20))
    AllowanceFactory(user=learner.user, exam=exam, extra_time_mins=5)
    DueDateExtension.objects.create(user=learner.user, exam=exam, due_date=now + timedelta(days=1))
    with freeze_time(now):
        learner.create(exam.id, start_clock='false')
        from_exam = learner.exam(COURSE, exam.content_id).json()['exam']['attempt']['time_remaining_seconds']
        from_latest = learner.latest(exam.content_id).json()['time_remaining_seconds']
    assert from_exam == pytest.approx(35 * 60, abs=1)
    assert from_latest == from_exam


def test_allowance_counts_at_start(learner):
    exam = ExamFactory(course_id=COURSE, time_limit_mins=30)
    AllowanceFactory(user=learner.user, exam=exam, extra_time_mins=15)
    learner.create(exam.id)
    attempt = ExamAttempt.objects.get(user=learner.user, exam=exam)
    assert attempt.allowed_time_limit_mins == 45


def test_attempt_survives_a_provider_change(learner):
    """A course's new provider replaces the exam row; the learner's attempt must still be theirs."""
    exam = _proctored_exam('proctored')
    attempt_id = learner.create(exam.id, start_clock='false', attempt_proctored='true').json()['exam_attempt_id']
    api.transition_attempt(attempt_id, S.READY_TO_START, actor=None)
    learner.act(attempt_id, 'start')
    learner.act(attempt_id, 'submit')
    new_provider = ProviderFactory()
    staff = JwtClient().as_user(UserFactory(is_staff=True))
    body = {'provider': new_provider.name, 'escalation_email': 'help@example.com'}
    assert staff.patch(f'/api/v1/configs/course_id/{COURSE}', body, format='json').status_code == 200
    body = learner.exam(COURSE, exam.content_id).json()['exam']
    assert body['id'] != exam.id  # a new row with the new provider
    assert body['attempt']['attempt_id'] == attempt_id
    assert body['attempt']['attempt_status'] == 'submitted'
    assert learner.create(body['id'], start_clock='false', attempt_proctored='true').json()['exam_attempt_id'] == (
        attempt_id
    )
