"""Publishing a course's exams through core.api."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection

from edx_exams.apps.core import api
from edx_exams.apps.core.exceptions import InvalidExamData
from edx_exams.apps.core.models import DueDateExtension, Exam, ExamAttempt, StudentAllowance
from edx_exams.apps.core.tests.factories import (
    AllowanceFactory,
    CourseExamConfigurationFactory,
    ExamAttemptFactory,
    ExamFactory,
    ProviderFactory,
)
from test_utils.courses import COURSE, OTHER_COURSE
from test_utils.threads import release_together

pytestmark = pytest.mark.django_db


def content(name):
    return f'block-v1:{COURSE.split(":", 1)[1]}+type@sequential+block@{name}'


def spec(name, exam_type='timed', **fields):
    fields.setdefault('exam_name', name)
    return api.ExamSpec(content_id=content(name), exam_type=exam_type, **fields)


def active(course_id=COURSE):
    return {e.content_id: e for e in Exam.objects.filter(course_id=course_id, is_active=True)}


def history_rows():
    return Exam.history.count()


def test_first_publish_creates_exams():
    due = datetime(2030, 1, 1, tzinfo=UTC)
    result = api.publish_course_exams(
        COURSE, exams=[spec('a', time_limit_mins=30, due_date=due), spec('b', 'proctored', time_limit_mins=60)]
    )
    assert len(result.created) == 2
    assert result.changed is True
    exams = active()
    assert exams[content('a')].time_limit_mins == 30
    assert exams[content('a')].due_date == due
    assert exams[content('b')].exam_type == 'proctored'


def test_practice_proctored_is_stored_as_practice():
    api.publish_course_exams(COURSE, exams=[spec('a', 'practice_proctored')])
    assert active()[content('a')].exam_type == 'practice'


def test_unknown_exam_type_is_refused():
    with pytest.raises(InvalidExamData):
        spec('a', 'oral')


def test_same_type_updates_in_place():
    exam = ExamFactory(course_id=COURSE, content_id=content('a'), exam_name='Old', time_limit_mins=30)
    result = api.publish_course_exams(
        COURSE, exams=[spec('a', exam_name='New', time_limit_mins=45, hide_after_due=True)]
    )
    assert result.updated == [exam.id]
    exam.refresh_from_db()
    assert (exam.exam_name, exam.time_limit_mins, exam.hide_after_due, exam.is_active) == ('New', 45, True, True)
    assert Exam.objects.filter(course_id=COURSE).count() == 1


def test_changed_type_retires_old_row_and_keeps_its_attempts_and_accommodations():
    old = ExamFactory(course_id=COURSE, content_id=content('a'), exam_type='timed')
    attempt = ExamAttemptFactory(exam=old)
    allowance = AllowanceFactory(exam=old, extra_time_mins=15, time_multiplier=Decimal('1.50'))
    extension = DueDateExtension.objects.create(user=attempt.user, exam=old, due_date=datetime(2031, 1, 1, tzinfo=UTC))
    result = api.publish_course_exams(COURSE, exams=[spec('a', 'proctored')])
    old.refresh_from_db()
    assert old.is_active is False
    new = active()[content('a')]
    assert result.created == [new.id]
    assert new.exam_type == 'proctored'
    assert ExamAttempt.objects.get(pk=attempt.pk).exam_id == old.id
    copied = StudentAllowance.objects.get(exam=new)
    assert (copied.user_id, copied.extra_time_mins, copied.time_multiplier) == (allowance.user_id, 15, Decimal('1.50'))
    assert DueDateExtension.objects.get(exam=new).due_date == extension.due_date
    assert StudentAllowance.objects.filter(exam=old).exists()


def test_missing_exams_are_deactivated_and_empty_list_deactivates_all():
    ExamFactory(course_id=COURSE, content_id=content('a'))
    gone = ExamFactory(course_id=COURSE, content_id=content('b'))
    other = ExamFactory(course_id=OTHER_COURSE)
    result = api.publish_course_exams(COURSE, exams=[spec('a')])
    assert result.deactivated == [gone.id]
    assert set(active()) == {content('a')}
    api.publish_course_exams(COURSE, exams=[])
    assert active() == {}
    other.refresh_from_db()
    assert other.is_active is True


def test_readded_exam_reactivates_its_row():
    exam = ExamFactory(course_id=COURSE, content_id=content('a'))
    attempt = ExamAttemptFactory(exam=exam)
    api.publish_course_exams(COURSE, exams=[])
    result = api.publish_course_exams(COURSE, exams=[spec('a', exam_name=exam.exam_name)])
    assert result.updated == [exam.id]
    assert active()[content('a')].id == attempt.exam_id


def test_republishing_unchanged_course_writes_nothing(django_assert_max_num_queries):
    CourseExamConfigurationFactory(course_id=COURSE)
    due = datetime(2030, 5, 1, 12, 30, tzinfo=UTC)
    exams = [spec('a', time_limit_mins=30, due_date=due), spec('b', 'proctored'), spec('c', 'practice_proctored')]
    api.publish_course_exams(COURSE, exams=exams)
    before = (history_rows(), list(Exam.objects.values_list('id', 'modified')))
    with django_assert_max_num_queries(10) as captured:
        result = api.publish_course_exams(COURSE, exams=exams)
    assert result.changed is False
    assert result.unchanged == 3
    assert (history_rows(), list(Exam.objects.values_list('id', 'modified'))) == before
    writes = [q['sql'] for q in captured.captured_queries if q['sql'].split()[0] in ('INSERT', 'UPDATE', 'DELETE')]
    assert writes == []


def test_proctored_exams_get_the_course_provider_and_timed_do_not():
    config = CourseExamConfigurationFactory(course_id=COURSE)
    api.publish_course_exams(COURSE, exams=[spec('t'), spec('p', 'proctored'), spec('o', 'onboarding')])
    exams = active()
    assert exams[content('t')].provider is None
    assert exams[content('p')].provider == config.provider
    assert exams[content('o')].provider == config.provider


def test_duplicate_content_ids_change_nothing():
    exam = ExamFactory(course_id=COURSE, content_id=content('a'), exam_name='Kept')
    with pytest.raises(InvalidExamData, match='repeats'):
        api.publish_course_exams(COURSE, exams=[spec('b'), spec('b')])
    assert set(active()) == {content('a')}
    exam.refresh_from_db()
    assert exam.exam_name == 'Kept'


def test_list_active_exams_only_lists_the_course_active_exams():
    kept = ExamFactory(course_id=COURSE)
    ExamFactory(course_id=COURSE, is_active=False)
    ExamFactory(course_id=OTHER_COURSE)
    assert list(api.list_active_exams(COURSE)) == [kept]


def test_copy_to_provider_keeps_attempts_and_allowances():
    """The provider-change path through the course configuration API."""
    old_provider, new_provider = ProviderFactory(), ProviderFactory()
    CourseExamConfigurationFactory(course_id=COURSE, provider=old_provider)
    api.publish_course_exams(COURSE, exams=[spec('p', 'proctored'), spec('t')])
    proctored = active()[content('p')]
    attempt = ExamAttemptFactory(exam=proctored)
    allowance = AllowanceFactory(exam=proctored, extra_time_mins=20)
    api.update_course_exam_configuration(COURSE, provider_name=new_provider.name, escalation_email='e@example.com')
    exams = active()
    assert exams[content('p')].provider == new_provider
    assert exams[content('p')].id != proctored.id
    assert exams[content('t')].provider is None
    assert ExamAttempt.objects.get(pk=attempt.pk).exam.provider == old_provider
    copied = StudentAllowance.objects.get(exam=exams[content('p')])
    assert (copied.user_id, copied.extra_time_mins) == (allowance.user_id, 20)
    assert copied.history.count() == 1
    # Republishing after the change finds nothing to do.
    assert api.publish_course_exams(COURSE, exams=[spec('p', 'proctored'), spec('t')]).changed is False


@pytest.mark.skipif(connection.vendor != 'mysql', reason='row locks and concurrent inserts need MySQL / MariaDB')
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize('existing', [False, True], ids=['first-publish', 'republish'])
def test_concurrent_identical_publishes_do_not_fail(existing):
    exams = [spec(name, 'proctored' if name == 'b' else 'timed') for name in 'abcde']
    if existing:
        api.publish_course_exams(COURSE, exams=exams[:2])
    outcomes = release_together(*[lambda: api.publish_course_exams(COURSE, exams=exams)] * 4)
    assert all(isinstance(outcome, api.PublishResult) for outcome in outcomes), outcomes
    assert set(active()) == {content(name) for name in 'abcde'}
    assert sum(len(outcome.created) for outcome in outcomes) == (3 if existing else 5)
