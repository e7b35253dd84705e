"""A CompiledQuery returns what its values() queryset returns, for any parameters, compiled once."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from edx_exams.apps.core.models import ExamAttempt
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.core.tests.factories import ExamAttemptFactory, UserFactory
from edx_exams.compiled_queries import CompiledQuery, field_names, instance_from_row

pytestmark = pytest.mark.django_db

STARTED_AT = datetime(2026, 4, 1, 9, 30, 15, 250000, tzinfo=UTC)


def _attempts_of(user_id, status):
    return (
        ExamAttempt.objects.filter(user_id=user_id, status=status, is_active=True)
        .order_by('id')
        .values('id', 'start_time', 'taking_as_proctored', 'exam__exam_name')
    )


ATTEMPTS_OF = CompiledQuery(_attempts_of, user_id=-999_001, status='\x00status\x00')


def test_rows_equal_the_querysets_rows_for_every_parameter():
    learners = UserFactory.create_batch(2)
    for learner in learners:
        ExamAttemptFactory(user=learner, status=S.STARTED, start_time=STARTED_AT, taking_as_proctored=True)
        ExamAttemptFactory(user=learner, status=S.SUBMITTED)
    for learner in learners:
        for status in (S.STARTED, S.SUBMITTED, S.ERROR):
            assert ATTEMPTS_OF.rows(user_id=learner.id, status=status) == list(_attempts_of(learner.id, status))
    row = ATTEMPTS_OF.first(user_id=learners[0].id, status=S.STARTED)
    assert row['start_time'] == STARTED_AT  # converted as Django converts: an aware datetime
    assert row['taking_as_proctored'] is True
    assert ATTEMPTS_OF.first(user_id=learners[0].id, status=S.ERROR) is None


def test_each_call_is_one_counted_statement_and_the_sql_text_is_reused():
    learner = UserFactory()
    ATTEMPTS_OF.rows(user_id=learner.id, status=S.STARTED)
    with CaptureQueriesContext(connection) as first:
        ATTEMPTS_OF.rows(user_id=learner.id, status=S.STARTED)
    with CaptureQueriesContext(connection) as second:
        ATTEMPTS_OF.rows(user_id=learner.id + 1, status=S.SUBMITTED)
    assert len(first) == len(second) == 1
    assert first[0]['sql'].split('WHERE')[0] == second[0]['sql'].split('WHERE')[0]


def test_a_marker_missing_from_the_compiled_parameters_is_refused():
    query = CompiledQuery(lambda user_id: ExamAttempt.objects.filter(user_id=1).values('id'), user_id=-999_002)
    with pytest.raises(ValueError, match='user_id'):
        query.rows(user_id=1)


def test_a_query_that_is_not_values_is_refused():
    query = CompiledQuery(lambda user_id: ExamAttempt.objects.filter(user_id=user_id), user_id=-999_003)
    with pytest.raises(ValueError, match='values'):
        query.rows(user_id=1)


def test_instances_built_from_rows_equal_loaded_instances():
    attempt = ExamAttemptFactory(status=S.STARTED, start_time=STARTED_AT)
    query = CompiledQuery(
        lambda attempt_id: ExamAttempt.objects.filter(pk=attempt_id).values(*field_names(ExamAttempt)),
        attempt_id=-999_004,
    )
    built = instance_from_row(ExamAttempt, query.first(attempt_id=attempt.id))
    loaded = ExamAttempt.objects.get(pk=attempt.id)
    assert {f.attname: getattr(built, f.attname) for f in ExamAttempt._meta.concrete_fields} == {
        f.attname: getattr(loaded, f.attname) for f in ExamAttempt._meta.concrete_fields
    }
    assert built._state.adding is False
