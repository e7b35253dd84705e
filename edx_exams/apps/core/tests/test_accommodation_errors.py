"""
An invalid accommodation request names its fields in the error core raises.

The REST layer does not rebuild them: the one exception handler renders `field_errors` as a
400 `{"detail": "Invalid data", "errors": ...}`, keyed by item index for a list of allowances
and by field for one due date extension.
"""

from datetime import UTC, datetime

import pytest

from edx_exams.apps.core import api
from edx_exams.apps.core.tests.factories import ExamFactory, UserFactory

pytestmark = pytest.mark.django_db

COURSE_ID = 'course-v1:edX+Errors+2026'


@pytest.fixture
def exam():
    """An exam of the course."""
    return ExamFactory(course_id=COURSE_ID)


def test_allowance_errors_are_keyed_by_item_then_field(exam):
    learner = UserFactory()
    specs = [
        api.AllowanceSpec(exam_id=exam.id, username=learner.username, extra_time_mins=5),
        api.AllowanceSpec(exam_id=exam.id, username='ghost', extra_time_mins=5),
        api.AllowanceSpec(exam_id=exam.id + 1000, username='ghost', extra_time_mins=5),
    ]

    with pytest.raises(api.InvalidAccommodation) as raised:
        api.upsert_allowances(COURSE_ID, specs=specs, actor=UserFactory(is_staff=True))

    assert raised.value.field_errors == {
        1: {'username': ['unknown user ghost']},
        2: {'username': ['unknown user ghost'], 'exam_id': [f'exam {exam.id + 1000} is not in this course']},
    }


def test_due_date_extension_errors_are_keyed_by_field(exam):
    with pytest.raises(api.InvalidAccommodation) as raised:
        api.set_due_date_extension(
            COURSE_ID,
            exam_id=exam.id + 1000,
            username='ghost',
            email=None,
            due_date=datetime(2030, 1, 1, tzinfo=UTC),
            actor=UserFactory(is_staff=True),
        )

    assert raised.value.field_errors == {
        'username': ['unknown user ghost'],
        'exam_id': [f'exam {exam.id + 1000} is not in this course'],
    }


def test_a_domain_error_without_fields_has_none():
    assert api.ExamIllegalStatusTransition('no').field_errors is None
