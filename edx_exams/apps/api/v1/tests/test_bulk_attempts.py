"""POST .../exam/{exam_id}/attempts/bulk: resume or reset many attempts, each as the single-attempt staff action."""

from collections import Counter
from datetime import timedelta

import pytest
from django.db import DatabaseError
from django.utils import timezone
from freezegun import freeze_time

from edx_exams.apps.api.v1.tests.staff_callers import REFUSED_CALLERS, client_for
from edx_exams.apps.core import api, bulk_actions
from edx_exams.apps.core.models import ExamAttempt
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.core.tests.factories import ExamFactory, UserFactory
from edx_exams.apps.events.models import OutboxEvent
from edx_exams.apps.events.payloads import RESET_EVENT
from test_utils.courses import COURSE, OTHER_COURSE

pytestmark = pytest.mark.django_db


def url(exam_id, course=COURSE):
    return f'/api/v1/exams/course_id/{course}/exam/{exam_id}/attempts/bulk'


def body(action='resume', statuses=('error',), dry_run=False, reason='proctoring tool outage at 10:05', **extra):
    return {'action': action, 'statuses': list(statuses), 'dry_run': dry_run, 'reason': reason, **extra}


@pytest.fixture
def exam():
    return ExamFactory(course_id=COURSE, exam_type='timed', time_limit_mins=60)


def errored(exam, *, started=True):
    """A learner's attempt that went to error (after starting, unless `started` is False)."""
    attempt = api.create_exam_attempt(user=UserFactory(), exam_id=exam.id, start_clock=started)
    return api.update_attempt_with_action(attempt_id=attempt.id, action='error', actor=attempt.user)


def fresh(attempt):
    return ExamAttempt.objects.get(pk=attempt.pk)


def outcomes(response):
    return {item['attempt_id']: item['outcome'] for item in response.json()['attempts']}


def test_a_dry_run_lists_what_would_change_and_changes_nothing(staff, exam):
    first, second, never_started = errored(exam), errored(exam), errored(exam, started=False)
    running = api.create_exam_attempt(user=UserFactory(), exam_id=exam.id, start_clock=True)
    events = OutboxEvent.objects.count()

    response = staff.post(url(exam.id), body(dry_run=True), format='json')

    assert response.status_code == 200, response.content
    data = response.json()
    assert (data['action'], data['dry_run'], data['selected_count']) == ('resume', True, 3)
    assert outcomes(response) == {first.id: 'would_resume', second.id: 'would_resume', never_started.id: 'skipped'}
    assert data['counts']['would_resume'] == 2 and data['counts']['skipped'] == 1
    item = next(i for i in data['attempts'] if i['attempt_id'] == never_started.id)
    assert (item['username'], item['status']) == (never_started.user.username, 'error')
    assert 'never started' in item['detail']
    assert running.id not in outcomes(response)
    assert not any(fresh(a).ready_to_resume for a in (first, second, never_started))
    assert OutboxEvent.objects.count() == events


def test_resume_marks_each_errored_attempt_ready_to_resume_like_the_single_action(staff, staff_user, exam):
    bulk, single = errored(exam), errored(exam)
    api.update_attempt_with_action(attempt_id=single.id, action='resume', actor=staff_user)
    events = OutboxEvent.objects.count()

    response = staff.post(url(exam.id), body(), format='json')

    assert outcomes(response) == {bulk.id: 'resumed', single.id: 'skipped'}  # already ready to resume
    assert fresh(bulk).ready_to_resume and fresh(bulk).is_active
    assert OutboxEvent.objects.count() == events  # a resume tells the LMS nothing, as one resume does
    record = ExamAttempt.history.filter(id=bulk.id).latest('history_id')
    assert record.history_user_id == staff_user.id
    assert record.history_change_reason == 'bulk resume: proctoring tool outage at 10:05'
    assert record.history_actor == 'staff'
    # The learner's next start continues the attempt with the time that was left.
    continued = api.create_exam_attempt(user=bulk.user, exam_id=exam.id, start_clock=True)
    assert continued.resumed_from_id == bulk.id
    assert continued.status == S.STARTED


def test_reset_archives_each_attempt_and_sends_the_same_event_as_one_reset(staff, staff_user, exam):
    bulk_one, bulk_two, single = errored(exam), errored(exam), errored(exam)
    staff.delete(f'/api/v1/exams/attempt/{single.id}')

    response = staff.post(url(exam.id), body(action='reset'), format='json')

    assert outcomes(response) == {bulk_one.id: 'reset', bulk_two.id: 'reset'}
    for attempt in (bulk_one, bulk_two, single):
        attempt = fresh(attempt)
        assert (attempt.is_active, attempt.reset_by_id) == (False, staff_user.id)
        events = Counter(OutboxEvent.objects.filter(attempt_id=attempt.id).values_list('event_type', flat=True))
        assert events[RESET_EVENT.event_type] == 1
    reset_events = lambda a: list(  # noqa: E731
        OutboxEvent.objects.filter(attempt_id=a.id).order_by('id').values_list('event_type', flat=True)
    )
    assert reset_events(bulk_one) == reset_events(single)


def test_since_and_attempt_ids_narrow_the_selection(staff, exam):
    now = timezone.now()
    with freeze_time(now - timedelta(hours=2)):
        early = errored(exam)
    late_one, late_two = errored(exam), errored(exam)
    since = (now - timedelta(minutes=30)).isoformat()
    response = staff.post(url(exam.id), body(dry_run=True, since=since), format='json')
    assert set(outcomes(response)) == {late_one.id, late_two.id}
    response = staff.post(url(exam.id), body(dry_run=True, attempt_ids=[early.id, late_two.id]), format='json')
    assert set(outcomes(response)) == {early.id, late_two.id}


def test_several_statuses_and_other_exams_untouched(staff, exam):
    other_exam = ExamFactory(course_id=COURSE, time_limit_mins=60)
    mine, theirs = errored(exam), errored(other_exam)
    submitted = api.create_exam_attempt(user=UserFactory(), exam_id=exam.id, start_clock=True)
    api.update_attempt_with_action(attempt_id=submitted.id, action='submit', actor=submitted.user)
    response = staff.post(url(exam.id), body(action='reset', statuses=['error', 'submitted']), format='json')
    assert outcomes(response) == {mine.id: 'reset', submitted.id: 'reset'}
    assert fresh(theirs).is_active


def test_an_empty_selection_is_an_empty_report(staff, exam):
    response = staff.post(url(exam.id), body(), format='json')
    assert response.status_code == 200
    assert (response.json()['selected_count'], response.json()['attempts']) == (0, [])


def test_more_attempts_than_the_cap_is_a_400_and_changes_nothing(staff, exam, monkeypatch):
    monkeypatch.setattr(bulk_actions, 'MAX_BULK_ATTEMPTS', 2)
    attempts = [errored(exam) for _ in range(3)]
    response = staff.post(url(exam.id), body(action='reset'), format='json')
    assert response.status_code == 400
    assert 'More than 2 attempts' in response.json()['errors']['statuses'][0]
    assert all(fresh(a).is_active for a in attempts)


@pytest.mark.parametrize(
    ('change', 'field'),
    [
        ({'action': 'delete'}, 'action'),
        ({'statuses': []}, 'statuses'),
        ({'statuses': ['eligible']}, 'statuses'),
        ({'statuses': ['nope']}, 'statuses'),
        ({'statuses': 'error'}, 'statuses'),
        ({'dry_run': 'false'}, 'dry_run'),
        ({'reason': ''}, 'reason'),
        ({'since': 'yesterday'}, 'since'),
        ({'attempt_ids': [0]}, 'attempt_ids'),
        ({'attempt_ids': list(range(1, 1002))}, 'attempt_ids'),
    ],
)
def test_invalid_bodies_are_a_400_naming_the_field(staff, exam, change, field):
    attempt = errored(exam)
    response = staff.post(url(exam.id), {**body(action='reset'), **change}, format='json')
    assert response.status_code == 400, response.content
    assert field in response.json()['errors']
    assert fresh(attempt).is_active


def test_an_exam_of_another_course_is_a_404(staff):
    other = ExamFactory(course_id=OTHER_COURSE, time_limit_mins=60)
    attempt = errored(other)
    assert staff.post(url(other.id), body(action='reset'), format='json').status_code == 404
    assert fresh(attempt).is_active


@pytest.mark.parametrize(('who', 'expected'), [*REFUSED_CALLERS, ('global', 200)])
def test_only_course_staff_or_global_staff_may_act(exam, who, expected, settings):
    attempt = errored(exam)
    client = client_for(who, learner=attempt.user, settings=settings)
    response = client.post(url(exam.id), body(action='reset'), format='json')
    assert response.status_code == expected, response.content
    assert fresh(attempt).is_active == (expected != 200)


def test_one_failing_attempt_is_reported_and_the_others_go_on(staff, exam):
    first, failing, last = errored(exam), errored(exam), errored(exam)

    def outbox_down(sender, attempt, **kwargs):
        if attempt.id == failing.id:
            raise DatabaseError('outbox table unavailable')

    api.ATTEMPT_RESET.connect(outbox_down, dispatch_uid='test.outbox_down')
    try:
        response = staff.post(url(exam.id), body(action='reset'), format='json')
    finally:
        api.ATTEMPT_RESET.disconnect(dispatch_uid='test.outbox_down')

    assert response.status_code == 200
    assert outcomes(response) == {first.id: 'reset', failing.id: 'failed', last.id: 'reset'}
    assert response.json()['counts']['failed'] == 1
    assert fresh(failing).is_active  # its reset rolled back with the failed event, as one reset would
    assert not OutboxEvent.objects.filter(attempt_id=failing.id, event_type=RESET_EVENT.event_type).exists()
    assert not fresh(first).is_active and not fresh(last).is_active
