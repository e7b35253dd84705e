"""
Every learner and staff action from every stored status, over HTTP (table-driven).

Each table cell is the status the attempt must have afterwards (200), or the
HTTP status of the refusal, after which the attempt must be unchanged.
"""

import pytest

from edx_exams.apps.api.v1.tests.learner import LearnerSession
from edx_exams.apps.core.models import ExamAttempt
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.core.tests.factories import (
    CourseExamConfigurationFactory,
    ExamAttemptFactory,
    ExamFactory,
    UserFactory,
)
from test_utils.auth import JwtClient
from test_utils.courses import COURSE

pytestmark = pytest.mark.django_db
STORED = [
    S.CREATED,
    S.DOWNLOAD_SOFTWARE_CLICKED,
    S.READY_TO_START,
    S.STARTED,
    S.READY_TO_SUBMIT,
    S.SUBMITTED,
    S.SECOND_REVIEW_REQUIRED,
    S.VERIFIED,
    S.REJECTED,
    S.ERROR,
    S.DECLINED,
]
CONFLICT = 409
BAD = 400

# Proctored exam, taken proctored, in a course that allows opting out.
PROCTORED: dict[str, dict[str, str | int]] = {
    'start': {
        S.CREATED: CONFLICT,
        S.DOWNLOAD_SOFTWARE_CLICKED: CONFLICT,
        S.READY_TO_START: S.STARTED,
        S.STARTED: S.STARTED,
        S.READY_TO_SUBMIT: S.STARTED,
        S.SUBMITTED: CONFLICT,
        S.SECOND_REVIEW_REQUIRED: CONFLICT,
        S.VERIFIED: CONFLICT,
        S.REJECTED: CONFLICT,
        S.ERROR: CONFLICT,
        S.DECLINED: CONFLICT,
    },
    'stop': {
        S.CREATED: CONFLICT,
        S.DOWNLOAD_SOFTWARE_CLICKED: CONFLICT,
        S.READY_TO_START: CONFLICT,
        S.STARTED: S.READY_TO_SUBMIT,
        S.READY_TO_SUBMIT: S.READY_TO_SUBMIT,
        S.SUBMITTED: CONFLICT,
        S.SECOND_REVIEW_REQUIRED: CONFLICT,
        S.VERIFIED: CONFLICT,
        S.REJECTED: CONFLICT,
        S.ERROR: CONFLICT,
        S.DECLINED: CONFLICT,
    },
    'submit': {
        S.CREATED: CONFLICT,
        S.DOWNLOAD_SOFTWARE_CLICKED: CONFLICT,
        S.READY_TO_START: CONFLICT,
        S.STARTED: S.SUBMITTED,
        S.READY_TO_SUBMIT: S.SUBMITTED,
        S.SUBMITTED: S.SUBMITTED,
        S.SECOND_REVIEW_REQUIRED: S.SECOND_REVIEW_REQUIRED,
        S.VERIFIED: S.VERIFIED,
        S.REJECTED: S.REJECTED,
        S.ERROR: CONFLICT,
        S.DECLINED: CONFLICT,
    },
    'click_download_software': {
        S.CREATED: S.DOWNLOAD_SOFTWARE_CLICKED,
        S.DOWNLOAD_SOFTWARE_CLICKED: S.DOWNLOAD_SOFTWARE_CLICKED,
        S.READY_TO_START: CONFLICT,
        S.STARTED: CONFLICT,
        S.READY_TO_SUBMIT: CONFLICT,
        S.SUBMITTED: CONFLICT,
        S.SECOND_REVIEW_REQUIRED: CONFLICT,
        S.VERIFIED: CONFLICT,
        S.REJECTED: CONFLICT,
        S.ERROR: CONFLICT,
        S.DECLINED: CONFLICT,
    },
    'error': {
        S.CREATED: S.ERROR,
        S.DOWNLOAD_SOFTWARE_CLICKED: S.ERROR,
        S.READY_TO_START: S.ERROR,
        S.STARTED: S.ERROR,
        S.READY_TO_SUBMIT: S.ERROR,
        S.SUBMITTED: CONFLICT,
        S.SECOND_REVIEW_REQUIRED: CONFLICT,
        S.VERIFIED: CONFLICT,
        S.REJECTED: CONFLICT,
        S.ERROR: CONFLICT,
        S.DECLINED: CONFLICT,
    },
    'decline': {
        S.CREATED: S.DECLINED,
        S.DOWNLOAD_SOFTWARE_CLICKED: S.DECLINED,
        S.READY_TO_START: S.DECLINED,
        S.STARTED: CONFLICT,
        S.READY_TO_SUBMIT: CONFLICT,
        S.SUBMITTED: CONFLICT,
        S.SECOND_REVIEW_REQUIRED: CONFLICT,
        S.VERIFIED: CONFLICT,
        S.REJECTED: CONFLICT,
        S.ERROR: CONFLICT,
        S.DECLINED: S.DECLINED,
    },
    'reset_attempt': dict.fromkeys(STORED, BAD),  # a proctored exam is never retaken by the learner
}

# Timed exam: no proctoring; the learner starts from created.
TIMED = {
    'start': {**PROCTORED['start'], S.CREATED: S.STARTED},
    'click_download_software': {**dict.fromkeys(STORED, BAD)},
    'decline': {**dict.fromkeys(STORED, BAD)},
}

# Practice exam: retaken after it is finished.
PRACTICE_RETAKE = {
    S.CREATED: CONFLICT,
    S.DOWNLOAD_SOFTWARE_CLICKED: CONFLICT,
    S.READY_TO_START: CONFLICT,
    S.STARTED: CONFLICT,
    S.READY_TO_SUBMIT: CONFLICT,
    S.SUBMITTED: 'new',
    S.SECOND_REVIEW_REQUIRED: 'new',
    S.VERIFIED: 'new',
    S.REJECTED: 'new',
    S.ERROR: 'new',
    S.DECLINED: CONFLICT,
}

# Staff review.
REVIEW = {
    'verify': {
        **dict.fromkeys(STORED, CONFLICT),
        S.SUBMITTED: S.VERIFIED,
        S.SECOND_REVIEW_REQUIRED: S.VERIFIED,
        S.ERROR: S.VERIFIED,
        S.REJECTED: S.VERIFIED,
        S.VERIFIED: S.VERIFIED,
    },
    'reject': {
        **dict.fromkeys(STORED, CONFLICT),
        S.SUBMITTED: S.REJECTED,
        S.SECOND_REVIEW_REQUIRED: S.REJECTED,
        S.ERROR: S.REJECTED,
        S.VERIFIED: S.REJECTED,
        S.REJECTED: S.REJECTED,
    },
}


def _cells(table):
    return [(action, status, expected) for action, row in table.items() for status, expected in row.items()]


def _check(client, attempt, action, expected):
    response = client.put(f'/api/v1/exams/attempt/{attempt.id}', {'action': action}, format='json')
    before = attempt.status
    attempt.refresh_from_db()
    if isinstance(expected, int):
        assert response.status_code == expected, response.content
        assert 'detail' in response.json()
        assert attempt.status == before
    else:
        assert response.status_code == 200, response.content
        assert response.json() == {'exam_attempt_id': attempt.id}
        assert attempt.status == expected


def test_tables_cover_every_stored_status():
    for table in (PROCTORED, REVIEW):
        for row in table.values():
            assert set(row) == set(STORED)
    assert set(PROCTORED) == {'start', 'stop', 'submit', 'click_download_software', 'error', 'decline', 'reset_attempt'}


@pytest.mark.parametrize(('action', 'status', 'expected'), _cells(PROCTORED))
def test_proctored_actions(action, status, expected):
    CourseExamConfigurationFactory(course_id=COURSE, allow_opt_out=True)
    exam = ExamFactory(course_id=COURSE, exam_type='proctored')
    attempt = ExamAttemptFactory(exam=exam, status=status, taking_as_proctored=True)
    _check(LearnerSession(attempt.user).client, attempt, action, expected)


@pytest.mark.parametrize(('action', 'status', 'expected'), _cells(TIMED))
def test_timed_actions(action, status, expected):
    CourseExamConfigurationFactory(course_id=COURSE, allow_opt_out=True)
    attempt = ExamAttemptFactory(exam=ExamFactory(course_id=COURSE), status=status, taking_as_proctored=False)
    _check(LearnerSession(attempt.user).client, attempt, action, expected)


@pytest.mark.parametrize(('status', 'expected'), PRACTICE_RETAKE.items())
def test_practice_retake(status, expected):
    attempt = ExamAttemptFactory(exam=ExamFactory(course_id=COURSE, exam_type='practice'), status=status)
    client = LearnerSession(attempt.user).client
    response = client.put(f'/api/v1/exams/attempt/{attempt.id}', {'action': 'reset_attempt'}, format='json')
    if expected == 'new':
        assert response.status_code == 200
        new = ExamAttempt.objects.get(id=response.json()['exam_attempt_id'])
        assert (new.attempt_number, new.status) == (2, S.CREATED)
    else:
        assert response.status_code == expected
        assert ExamAttempt.objects.filter(user=attempt.user).count() == 1


@pytest.mark.parametrize(('action', 'status', 'expected'), _cells(REVIEW))
def test_staff_review_actions(action, status, expected):
    attempt = ExamAttemptFactory(exam=ExamFactory(course_id=COURSE, exam_type='proctored'), status=status)
    _check(JwtClient().as_user(UserFactory(is_staff=True)), attempt, action, expected)


@pytest.mark.parametrize('action', ['verify', 'reject'])
def test_learner_cannot_review_own_attempt(action):
    attempt = ExamAttemptFactory(exam=ExamFactory(course_id=COURSE, exam_type='proctored'), status=S.SUBMITTED)
    _check(LearnerSession(attempt.user).client, attempt, action, 403)
