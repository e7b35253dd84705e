"""
The tool's LtiStartAssessment message: every check, then the attempt moves to `ready_to_start`.

The message arrives in a cross-site form POST, so cookies may be missing: the
attempt is found from `session_data`, never from the session. When the request
does carry a signed-in user, it must be the attempt's learner.
"""

import hmac
import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from edx_exams.apps.core import api as core_api
from edx_exams.apps.core.api import User
from edx_exams.apps.lti import constants as c
from edx_exams.apps.lti.exceptions import LtiError, LtiForbidden
from edx_exams.apps.lti.models import LtiProctoringSession, LtiToolRegistration
from edx_exams.apps.lti.platform import decode_tool_jwt, digest, exam_url, issuer, use_once

log = logging.getLogger(__name__)


def accept_start_assessment(token: object, *, user: User | None = None) -> str:
    """
    Validate an LtiStartAssessment JWT, move its attempt to `ready_to_start` and return the exam page URL.

    Raises LtiError (400) or LtiForbidden (403) when a check fails, and
    ExamIllegalStatusTransition (409) when the attempt may not start; in every
    case the attempt, its session and the nonce store are left unchanged.
    """
    registration, claims = decode_tool_jwt(token, audience=issuer(), require=['nonce'])
    _check_message(claims, registration)
    session = _find_session(claims.get(c.CLAIM_SESSION_DATA), registration)
    attempt = session.attempt
    _check_resource(claims, attempt)
    if user is not None and user.is_authenticated and user.id != attempt.user_id:
        raise LtiForbidden('The signed-in user is not the learner of this attempt.')
    now = timezone.now()
    with transaction.atomic():
        # Lock order of core.locks: the learner and the attempt before the attempt's LTI session.
        core_api.lock_attempt(attempt.id)
        use_once(registration, kind=c.NONCE_START_ASSESSMENT, value=claims['nonce'], expires_ts=claims['exp'])
        _consume_session(session, claims, now=now)
        core_api.mark_ready_to_start(attempt.id, actor=attempt.user, now=now)
    log.info('LTI start assessment accepted attempt_id=%s registration_id=%s', attempt.id, registration.id)
    return exam_url(attempt.exam)


def _check_message(claims: dict, registration: LtiToolRegistration) -> None:
    if claims.get(c.CLAIM_MESSAGE_TYPE) != c.START_ASSESSMENT:
        raise LtiError('The message type must be LtiStartAssessment.')
    if claims.get(c.CLAIM_VERSION) != c.LTI_VERSION:
        raise LtiError('The LTI version must be 1.3.0.')
    if claims.get(c.CLAIM_DEPLOYMENT_ID) != registration.deployment_id:
        raise LtiError('Unknown deployment_id.')


def _find_session(session_data: object, registration: LtiToolRegistration) -> LtiProctoringSession:
    """Find the session by the public half of `session_data`; compare the secret half in constant time."""
    if not isinstance(session_data, str) or session_data.count('.') != 1:
        raise LtiError('Missing or malformed session_data.')
    public_id, secret = session_data.split('.')
    session = (
        LtiProctoringSession.objects.select_related('attempt', 'attempt__exam', 'attempt__user')
        .filter(public_id=public_id, registration=registration)
        .first()
    )
    expected = session.secret_hash if session else digest('')
    if not hmac.compare_digest(expected, digest(secret)) or session is None:
        raise LtiError('Unknown session_data.')
    if session.consumed_at is not None:
        raise LtiError('session_data was already used.')
    if session.issued_at < timezone.now() - timedelta(seconds=settings.LTI_SESSION_DATA_LIFETIME_SECONDS):
        raise LtiError('session_data has expired.')
    return session


def _check_resource(claims: dict, attempt) -> None:
    resource_link = claims.get(c.CLAIM_RESOURCE_LINK)
    if not isinstance(resource_link, dict) or resource_link.get('id') != str(attempt.exam.resource_id):
        raise LtiError('resource_link does not match the attempt.')
    number = claims.get(c.CLAIM_ATTEMPT_NUMBER)
    if type(number) is not int or number != attempt.attempt_number:
        raise LtiError('attempt_number does not match the attempt.')


def _consume_session(session: LtiProctoringSession, claims: dict, *, now) -> None:
    """Use the session data up and keep what the tool told us (end_assessment_return, verified_user for audit)."""
    verified_user = claims.get(c.CLAIM_VERIFIED_USER)
    updated = LtiProctoringSession.objects.filter(pk=session.pk, consumed_at__isnull=True).update(
        consumed_at=now,
        end_assessment_return=claims.get(c.CLAIM_END_ASSESSMENT_RETURN) is True,
        verified_user=verified_user if isinstance(verified_user, dict) else None,
        modified=now,
    )
    if not updated:
        raise LtiError('session_data was already used.')
