"""The learner objects built without DRF serializers are exactly what the documented serializers give."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from edx_exams.apps.api.v1.serializers.attempts import (
    StudentAttemptSerializer,
    StudentExamSerializer,
    iso_datetime,
    student_attempt_data,
    student_exam_data,
)
from edx_exams.apps.core import api
from edx_exams.apps.core.exam_types import ExamType
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.core.tests.factories import ExamAttemptFactory, ExamFactory, ProviderFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 4, 10, 0, 0, 123456, tzinfo=UTC)


def _attempts():
    provider = ProviderFactory()
    proctored = ExamFactory(exam_type=ExamType.PROCTORED, provider=provider, due_date=NOW + timedelta(days=1))
    practice = ExamFactory(exam_type=ExamType.PRACTICE, time_limit_mins=None, due_date=None)
    timed = ExamFactory(exam_type=ExamType.TIMED, due_date=NOW - timedelta(hours=1), hide_after_due=True)
    return [
        ExamAttemptFactory(exam=proctored, status=S.CREATED, taking_as_proctored=True),
        ExamAttemptFactory(
            exam=timed,
            status=S.STARTED,
            start_time=NOW - timedelta(minutes=5, microseconds=7),
            expires_at=NOW + timedelta(minutes=25),
            allowed_time_limit_mins=30,
        ),
        ExamAttemptFactory(
            exam=practice, status=S.SUBMITTED, start_time=NOW - timedelta(hours=2), end_time=NOW, ready_to_resume=True
        ),
    ]


@pytest.mark.parametrize('extra_mins, due', [(0, None), (15, NOW + timedelta(hours=3)), (5, NOW - timedelta(days=1))])
def test_attempt_and_exam_objects_match_the_serializers(extra_mins, due):
    for attempt in _attempts():
        terms = api.LearnerTerms(extra_time_mins=extra_mins, due_date=due or attempt.exam.due_date)
        context = {'now': NOW, 'terms': terms, 'attempt': attempt}
        assert (
            student_attempt_data(attempt, now=NOW, terms=terms)
            == StudentAttemptSerializer(attempt, context=context).data
        )
        exam = attempt.exam
        assert (
            student_exam_data(exam, now=NOW, terms=terms, attempt=attempt)
            == StudentExamSerializer(exam, context=context).data
        )
        no_attempt = {**context, 'attempt': None}
        assert student_exam_data(exam, now=NOW, terms=terms) == StudentExamSerializer(exam, context=no_attempt).data


def test_datetimes_are_written_in_utc_with_a_z():
    assert iso_datetime(None) is None
    assert iso_datetime(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == '2026-01-02T03:04:05Z'
    eastern = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC).astimezone(ZoneInfo('America/New_York'))
    assert iso_datetime(eastern) == '2026-01-02T03:04:05.000006Z'


def test_every_serializer_field_is_built():
    attempt = _attempts()[1]
    terms = api.LearnerTerms()
    assert set(student_attempt_data(attempt, now=NOW, terms=terms)) == set(StudentAttemptSerializer().fields)
    assert set(student_exam_data(attempt.exam, now=NOW, terms=terms)) == set(StudentExamSerializer().fields)
