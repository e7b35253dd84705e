"""
Platform-originating launches through the OIDC third-party-initiated login.

1. `begin_*` records a short-lived, single-use message hint for the signed-in
   user and returns the tool's login initiation URL.
2. The tool sends the browser to the auth endpoint; `authorize_launch` checks
   the request (fixed OIDC values, known client, exact redirect URI, the hint,
   the signed-in user against `login_hint`, nonce and state) and returns the
   signed id_token for the auto-submitted form.
"""

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import cast

import attrs
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from edx_exams.apps.core import api as core_api
from edx_exams.apps.core.api import COMPLETED, ExamAttempt, User
from edx_exams.apps.core.api import ExamAttemptStatus as S
from edx_exams.apps.lti import claims as lti_claims
from edx_exams.apps.lti.constants import END_ASSESSMENT, RESOURCE_LINK_REQUEST, START_PROCTORING
from edx_exams.apps.lti.exceptions import LtiError, LtiForbidden
from edx_exams.apps.lti.keys import sign_platform_jwt
from edx_exams.apps.lti.models import LtiMessageHint, LtiProctoringSession, LtiToolRegistration
from edx_exams.apps.lti.platform import (
    digest,
    exam_url,
    get_registration_by_client_id,
    get_registration_for_exam,
    get_subject,
    issuer,
    new_secret,
    url_with_params,
)

log = logging.getLogger(__name__)

# The OIDC authentication request parameters with their only allowed value.
FIXED_AUTH_PARAMS = {'scope': 'openid', 'response_type': 'id_token', 'response_mode': 'form_post', 'prompt': 'none'}
MAX_PARAM_LENGTH = 1024
# Attempt statuses in which each message may still be delivered.
LAUNCHABLE_STATUSES = {
    START_PROCTORING: frozenset({S.DOWNLOAD_SOFTWARE_CLICKED}),
    END_ASSESSMENT: COMPLETED | {S.ERROR},
}


@attrs.frozen
class AutoSubmitForm:
    """A form the browser POSTs to the tool at once: the OIDC auth response."""

    action: str
    fields: dict[str, str]


def begin_start_proctoring(attempt_id: int, *, user: User) -> str:
    """
    Move the learner's attempt to `download_software_clicked` and return the tool's login URL for LtiStartProctoring.

    Only the attempt's learner may launch it; a repeated launch is allowed while
    the attempt is still at `download_software_clicked`.
    """
    attempt = _own_attempt(attempt_id, user=user)
    if not attempt.is_active:  # reset or retaken since this page was loaded: back to the exam
        return exam_url(attempt.exam)
    registration = get_registration_for_exam(attempt.exam)
    if not attempt.taking_as_proctored:
        raise LtiError('This attempt is not taken with proctoring.')
    core_api.mark_download_software_clicked(attempt.id, actor=user)
    log.info('LTI start proctoring attempt_id=%s registration_id=%s', attempt.id, registration.id)
    return _login_url(registration, user=user, message_type=START_PROCTORING, exam=attempt.exam, attempt=attempt)


def begin_end_assessment(attempt_id: int, *, user: User) -> str:
    """
    Submit the learner's attempt, then return where the browser goes next.

    That is the tool's login URL for LtiEndAssessment when the tool asked for it
    (`end_assessment_return`), else the exam page. Submitting an attempt that is
    already completed changes nothing.
    """
    attempt = _own_attempt(attempt_id, user=user)
    if not attempt.is_active:  # reset or retaken since this page was loaded: nothing to submit
        return exam_url(attempt.exam)
    attempt = core_api.submit_attempt(attempt.id, actor=user)
    session = LtiProctoringSession.objects.filter(attempt=attempt).select_related('registration').first()
    if session is None or not session.end_assessment_return:
        return exam_url(attempt.exam)
    registration = session.registration
    target = registration.end_assessment_url or registration.launch_url
    log.info('LTI end assessment attempt_id=%s registration_id=%s', attempt.id, registration.id)
    return _login_url(
        registration, user=user, message_type=END_ASSESSMENT, exam=attempt.exam, attempt=attempt, target=target
    )


def begin_instructor_launch(exam_id: int, *, user: User) -> str:
    """Return the tool's login URL for a resource-link launch of `exam_id` as instructor (course staff only)."""
    exam = core_api.get_exam(exam_id)
    if not core_api.is_course_staff(user, exam.course_id):
        raise LtiForbidden('Only course staff may open the proctoring review tool.')
    registration = get_registration_for_exam(exam)
    log.info('LTI instructor launch exam_id=%s user_id=%s', exam.id, user.id)
    return _login_url(registration, user=user, message_type=RESOURCE_LINK_REQUEST, exam=exam, attempt=None)


def authorize_launch(params: Mapping[str, str], *, user: User) -> AutoSubmitForm:
    """
    Check an OIDC authentication request from a tool and return the form that POSTs the id_token.

    Every check of the LTI security framework for the platform is made here; the
    message hint is used up only when all of them pass.
    """
    for name, value in FIXED_AUTH_PARAMS.items():
        if params.get(name) != value:
            raise LtiError(f'Parameter {name} must be {value}.')
    registration = get_registration_by_client_id(params.get('client_id'))
    redirect_uri, nonce, state = (_required(params, name) for name in ('redirect_uri', 'nonce', 'state'))
    if redirect_uri not in registration.get_redirect_uris():
        raise LtiError('redirect_uri is not registered.')
    if not user or not user.is_authenticated:
        raise LtiForbidden('Sign in to launch the proctoring tool.')
    if _required(params, 'login_hint') != get_subject(user):
        raise LtiForbidden('login_hint does not match the signed-in user.')
    hint = _find_hint(_required(params, 'lti_message_hint'), registration=registration, user=user)
    now = timezone.now()
    claims = lti_claims.build_message_claims(hint, nonce=nonce, sub=get_subject(user), now=now)
    with transaction.atomic():
        if hint.message_type == START_PROCTORING:
            core_api.lock_attempt(cast(int, hint.attempt_id))  # lock order: learner, attempt, then its LTI session
            claims.update(
                # _find_hint has checked the attempt of a proctoring launch.
                lti_claims.start_proctoring_claims(
                    cast(ExamAttempt, hint.attempt), registration, _issue_session_data(hint, now)
                )
            )
        _use_hint(hint, now=now)
    log.info('LTI launch authorized message_type=%s hint_id=%s user_id=%s', hint.message_type, hint.id, user.id)
    return AutoSubmitForm(action=redirect_uri, fields={'id_token': sign_platform_jwt(claims), 'state': state})


def _own_attempt(attempt_id: int, *, user: User) -> ExamAttempt:
    attempt = core_api.get_attempt(attempt_id)
    if attempt.user_id != user.id:
        raise LtiForbidden('You may only launch your own attempts.')
    return attempt


def _login_url(registration: LtiToolRegistration, *, user, message_type, exam, attempt, target=None) -> str:
    """Record a message hint and return the tool's login initiation URL (step 1 of the OIDC flow)."""
    hint = new_secret()
    target = target or registration.launch_url
    LtiMessageHint.objects.create(
        hint_hash=digest(hint),
        registration=registration,
        user=user,
        message_type=message_type,
        exam=exam,
        attempt=attempt,
        target_link_uri=target,
        expires_at=timezone.now() + timedelta(seconds=settings.LTI_MESSAGE_HINT_LIFETIME_SECONDS),
    )
    params = {
        'iss': issuer(),
        'login_hint': get_subject(user),
        'target_link_uri': target,
        'lti_message_hint': hint,
        'lti_deployment_id': registration.deployment_id,
        'client_id': registration.client_id,
    }
    return url_with_params(registration.login_url, params)


def _required(params: Mapping[str, str], name: str) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value or len(value) > MAX_PARAM_LENGTH:
        raise LtiError(f'Parameter {name} is missing or too long.')
    return value


def _find_hint(raw_hint: str, *, registration: LtiToolRegistration, user: User) -> LtiMessageHint:
    hint = (
        LtiMessageHint.objects.select_related('exam', 'attempt', 'registration')
        .filter(hint_hash=digest(raw_hint), registration=registration)
        .first()
    )
    if hint is None or hint.used_at is not None or hint.expires_at <= timezone.now():
        raise LtiError('lti_message_hint is unknown, used or expired.')
    if hint.user_id != user.id:
        raise LtiForbidden('lti_message_hint belongs to another user.')
    allowed = LAUNCHABLE_STATUSES.get(hint.message_type)
    if allowed is not None and (hint.attempt is None or hint.attempt.status not in allowed):
        status = hint.attempt.status if hint.attempt else 'missing'
        raise LtiError(f'The attempt is {status}; this launch is no longer possible.')
    return hint


def _use_hint(hint: LtiMessageHint, *, now: datetime) -> None:
    """Mark the hint used, unless a concurrent request did first (then refuse)."""
    if not LtiMessageHint.objects.filter(pk=hint.pk, used_at__isnull=True).update(used_at=now):
        raise LtiError('lti_message_hint was already used.')


def _issue_session_data(hint: LtiMessageHint, now: datetime) -> str:
    """Give the attempt a fresh `session_data` (`<public id>.<secret>`); only the secret's digest is kept."""
    public_id, secret = new_secret()[:22], new_secret()
    LtiProctoringSession.objects.update_or_create(
        attempt=hint.attempt,
        defaults={
            'registration': hint.registration,
            'public_id': public_id,
            'secret_hash': digest(secret),
            'issued_at': now,
            'consumed_at': None,
            'end_assessment_return': False,
            'verified_user': None,
        },
    )
    return f'{public_id}.{secret}'
