"""
Exam access tokens: short-lived JWTs that unlock exam content in the LMS.

The LMS unpacks them with edx-token-utils (`unpack_token_for`), so the claims
and signature follow that library: `lms_user_id`, `exp`, `iat`, `iss`,
`version`, plus `course_id` and `content_id`. Unlike edx-token-utils' own
signing, which parses the private JWK on every call, the key is parsed once per
process and reused.
"""

import functools
import logging
import math
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone
from jwt.api_jwk import PyJWK

from edx_exams.apps.core import timing
from edx_exams.apps.core.attempts import get_current_attempt, get_exam_with_terms
from edx_exams.apps.core.exceptions import ExamAccessTokenNotGranted
from edx_exams.apps.core.models import Exam, ExamAttempt, User
from edx_exams.apps.core.statuses import ExamAttemptStatus as S

log = logging.getLogger(__name__)

# Statuses whose content stays visible once the due date has passed (unless hidden after due).
VIEWABLE_AFTER_DUE = frozenset({S.SUBMITTED, S.VERIFIED})


@dataclass(frozen=True)
class ExamAccessToken:
    """A signed token and its lifetime in seconds."""

    token: str
    expires_in: int


def get_exam_access_token(*, user: User, exam_id: int, now: datetime | None = None) -> ExamAccessToken:
    """
    Return an access token for `user` on exam `exam_id`, or raise ExamAccessTokenNotGranted.

    Granted to the learner of a started, unexpired attempt that no proctoring tool
    has paused (for at most the time left), to a learner who opted out of
    proctoring, and after the due date where the exam's content is shown.
    """
    now = now or timezone.now()
    exam, terms = get_exam_with_terms(exam_id, user_id=user.id)
    attempt = get_current_attempt(user=user, exam=exam, now=now)
    lifetime = _grant_lifetime(exam, attempt, terms=terms, now=now)
    if not lifetime:
        raise ExamAccessTokenNotGranted()
    claims = {'course_id': exam.course_id, 'content_id': exam.content_id}
    token = sign_token(lms_user_id=user.lms_user_id, expires_in=lifetime, claims=claims, now=int(now.timestamp()))
    log.info('Exam access token granted user_id=%s exam_id=%s expires_in=%s', user.id, exam.id, lifetime)
    return ExamAccessToken(token=token, expires_in=lifetime)


def sign_token(*, lms_user_id: int | None, expires_in: int, claims: dict[str, Any], now: int | None = None) -> str:
    """Sign an edx-token-utils style token for `lms_user_id` valid for `expires_in` seconds."""
    now = now if now is not None else int(time.time())
    config = settings.TOKEN_SIGNING
    payload = {
        'lms_user_id': lms_user_id,
        'exp': now + expires_in,
        'iat': now,
        'iss': config['JWT_ISSUER'],
        'version': config['JWT_SUPPORTED_VERSION'],
        **claims,
    }
    key = _signing_key(config['JWT_PRIVATE_SIGNING_JWK'])
    return jwt.encode(payload, key=key.key, algorithm=config['JWT_SIGNING_ALGORITHM'], headers=_kid_header(key))


def _grant_lifetime(exam: Exam, attempt: ExamAttempt | None, *, terms: timing.LearnerTerms, now: datetime) -> int:
    """Return the token lifetime in seconds, or 0 when access is not granted."""
    max_seconds = settings.EXAM_ACCESS_TOKEN_MAX_SECONDS
    past_due = terms.is_past_due(now)
    if attempt is None:
        return max_seconds if past_due else 0
    if attempt.status == S.STARTED and attempt.paused_at is not None:
        return 0  # the proctoring tool paused the exam: content stays hidden until it resumes
    if attempt.status == S.STARTED:
        remaining = timing.time_remaining_seconds(attempt, now=now)
        return max_seconds if remaining is None else min(max_seconds, math.floor(remaining))
    if attempt.status == S.DECLINED:
        return max_seconds
    if past_due and attempt.status in VIEWABLE_AFTER_DUE and not exam.hide_after_due:
        return max_seconds
    return 0


@functools.lru_cache(maxsize=4)
def _signing_key(jwk_json: str) -> PyJWK:
    """Parse the private JWK once per process (per distinct key)."""
    if not jwk_json:
        raise ExamAccessTokenNotGranted('Exam access tokens are not configured on this service.')
    return PyJWK.from_json(jwk_json)


def _kid_header(key: PyJWK) -> dict[str, str] | None:
    return {'kid': key.key_id} if key.key_id else None


@receiver(setting_changed)
def _clear_key_cache(*, setting: str, **kwargs: Any) -> None:
    """Forget parsed keys when tests override TOKEN_SIGNING."""
    if setting == 'TOKEN_SIGNING':
        _signing_key.cache_clear()
