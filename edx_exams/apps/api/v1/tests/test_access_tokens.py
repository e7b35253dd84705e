"""Exam access tokens: granted only while content may be shown, readable by the LMS's edx-token-utils."""

import json
from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from django.utils import timezone
from freezegun import freeze_time
from token_utils.api import unpack_token_for

from edx_exams.apps.core import api
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.core.tests.factories import ExamAttemptFactory, ExamFactory
from test_utils.courses import COURSE

pytestmark = pytest.mark.django_db


def _public_keys():
    return [jwt.PyJWK(key) for key in json.loads(settings.TOKEN_SIGNING['JWT_PUBLIC_SIGNING_JWK_SET'])['keys']]


def test_token_for_started_attempt_unpacks_with_token_utils(learner):
    exam = ExamFactory(course_id=COURSE, time_limit_mins=30)
    learner.create(exam.id)
    response = learner.token(exam.id)
    assert response.status_code == 200
    body = response.json()
    assert body['exam_access_token_expiration'] == 60
    # The LMS side: edx-token-utils with the public key set only.
    claims = unpack_token_for(body['exam_access_token'], learner.user.lms_user_id)
    assert claims['course_id'] == COURSE
    assert claims['content_id'] == exam.content_id
    assert claims['lms_user_id'] == learner.user.lms_user_id
    assert claims['exp'] - claims['iat'] == 60
    assert claims['iss'] == settings.TOKEN_SIGNING['JWT_ISSUER']
    assert claims['version'] == settings.TOKEN_SIGNING['JWT_SUPPORTED_VERSION']
    # Verified with the public key directly, too.
    header = jwt.get_unverified_header(body['exam_access_token'])
    key = next(k for k in _public_keys() if k.key_id == header['kid'])
    jwt.decode(body['exam_access_token'], key.key, algorithms=['RS512'])


def test_token_is_not_valid_for_another_user(learner):
    exam = ExamFactory(course_id=COURSE)
    learner.create(exam.id)
    token = learner.token(exam.id).json()['exam_access_token']
    with pytest.raises(Exception):  # noqa: B017 - token_utils raises its own error types
        unpack_token_for(token, learner.user.lms_user_id + 1)


def test_lifetime_is_capped_by_time_remaining(learner):
    exam = ExamFactory(course_id=COURSE, time_limit_mins=1)
    start = timezone.now()
    with freeze_time(start):
        api.create_exam_attempt(user=learner.user, exam_id=exam.id, start_clock=True)
    with freeze_time(start + timedelta(seconds=35)):
        token = api.get_exam_access_token(user=learner.user, exam_id=exam.id)
    assert token.expires_in == 25


@pytest.mark.parametrize(
    'status', [S.CREATED, S.DOWNLOAD_SOFTWARE_CLICKED, S.READY_TO_START, S.READY_TO_SUBMIT, S.SUBMITTED, S.ERROR]
)
def test_no_token_outside_a_running_attempt(learner, status):
    exam = ExamFactory(course_id=COURSE)
    ExamAttemptFactory(user=learner.user, exam=exam, status=status)
    response = learner.token(exam.id)
    assert response.status_code == 403
    assert response.json() == {'detail': 'Exam access token not granted'}


def test_no_token_without_attempt_before_due(learner):
    exam = ExamFactory(course_id=COURSE, due_date=timezone.now() + timedelta(days=1))
    assert learner.token(exam.id).status_code == 403


def test_no_token_for_expired_attempt(learner):
    exam = ExamFactory(course_id=COURSE, time_limit_mins=1)
    with freeze_time(timezone.now() - timedelta(minutes=5)):
        api.create_exam_attempt(user=learner.user, exam_id=exam.id, start_clock=True)
    assert learner.token(exam.id).status_code == 403


def test_token_for_someone_elses_attempt_is_refused(learner):
    exam = ExamFactory(course_id=COURSE)
    ExamAttemptFactory(exam=exam, status=S.STARTED)
    assert learner.token(exam.id).status_code == 403


def test_unknown_exam(learner):
    assert learner.token(99999).status_code == 404


@pytest.mark.parametrize(
    ('status', 'hide_after_due', 'granted'),
    [
        (S.SUBMITTED, False, True),
        (S.VERIFIED, False, True),
        (S.SUBMITTED, True, False),
        (S.REJECTED, False, False),
        (None, False, True),
    ],
)
def test_after_due_date(learner, status, hide_after_due, granted):
    exam = ExamFactory(course_id=COURSE, due_date=timezone.now() - timedelta(hours=1), hide_after_due=hide_after_due)
    if status:
        ExamAttemptFactory(user=learner.user, exam=exam, status=status)
    assert (learner.token(exam.id).status_code == 200) is granted


def test_signing_key_is_parsed_once(learner, monkeypatch):
    from edx_exams.apps.core import access_tokens

    access_tokens._signing_key.cache_clear()
    calls = []
    original = jwt.PyJWK.from_json

    def counting(data):
        calls.append(1)
        return original(data)

    monkeypatch.setattr(access_tokens.PyJWK, 'from_json', staticmethod(counting))
    for _ in range(5):
        access_tokens.sign_token(lms_user_id=1, expires_in=60, claims={})
    assert len(calls) == 1


def test_paused_attempt_shows_frozen_time_and_gets_no_token(learner):
    exam = ExamFactory(course_id=COURSE, time_limit_mins=30)
    attempt_id = learner.create(exam.id).json()['exam_attempt_id']
    api.pause_attempt_clock(attempt_id)
    assert learner.token(exam.id).status_code == 403
    remaining = learner.latest().json()['time_remaining_seconds']
    assert 1790 < remaining <= 1800
    api.resume_attempt_clock(attempt_id)
    assert learner.token(exam.id).status_code == 200
