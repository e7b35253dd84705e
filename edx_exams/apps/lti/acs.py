"""
The Assessment Control Service: the OAuth 2 token endpoint and the control actions a tool sends.

Tokens are platform-signed JWTs (RS256, `kid`) naming the tool's client id and
the granted scope; nothing is stored. An ACS call must carry a token of the
registration that owns the attempt's exam and use an action that registration
advertises. Actions map onto the attempt as follows:

- `pause` / `resume`: freeze and restart the clock (reply `paused` / `running`);
- `update`: add `extra_time` minutes (reply `running` and the minutes added);
- `flag`: record the incident on the review, keep the status;
- `terminate`: end the attempt; a review result (a reason code in
  `LTI_ACS_REVIEW_REASON_CODES`) becomes `second_review_required` above
  `LTI_ACS_SECOND_REVIEW_SEVERITY` or without a severity, and `verified`
  otherwise, anything else `error`.
"""

import logging
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

import jwt
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from edx_exams.apps.core import api as core_api
from edx_exams.apps.core.api import ExamAttempt, ExamAttemptDoesNotExist, ExamIllegalStatusTransition
from edx_exams.apps.lti import constants as c
from edx_exams.apps.lti.acs_actions import ACTION_HANDLERS, AcsRequest
from edx_exams.apps.lti.exceptions import AcsUnsupportedMediaType, LtiError, LtiForbidden, LtiUnauthorized, OAuthError
from edx_exams.apps.lti.keys import decode_platform_jwt, sign_platform_jwt
from edx_exams.apps.lti.models import AssessmentControlRecord, LtiProctoringSession, LtiToolRegistration
from edx_exams.apps.lti.platform import decode_tool_jwt, find_user_by_subject, issuer, platform_url, use_once
from edx_exams.http.parsers import InvalidJson, load_json

log = logging.getLogger(__name__)

ACCEPTED_MEDIA_TYPES = frozenset({c.ACS_MEDIA_TYPE, 'application/json'})
MAX_BODY_BYTES = 16 * 1024


def issue_access_token(form: Mapping[str, str]) -> dict:
    """
    Answer an OAuth 2 client-credentials request authenticated by a JWT client assertion (RFC 7523).

    Returns the RFC 6749 4.4.3 body. Raises OAuthError with the RFC error code:
    `unsupported_grant_type`, `invalid_client` (401) or `invalid_scope`.
    """
    if form.get('grant_type') != c.CLIENT_CREDENTIALS_GRANT:
        raise OAuthError('unsupported_grant_type', 'Only client_credentials is supported.')
    if form.get('client_assertion_type') != c.JWT_BEARER_ASSERTION_TYPE:
        raise OAuthError('invalid_client', 'A JWT client assertion is required.', http_status=401)
    try:
        registration, claims = decode_tool_jwt(
            form.get('client_assertion'), audience=[platform_url('token'), issuer()], require=['sub', 'jti']
        )
        if claims['sub'] != registration.client_id:
            raise LtiError('The assertion sub must be the client id.')
        use_once(registration, kind=c.NONCE_CLIENT_ASSERTION, value=claims['jti'], expires_ts=claims['exp'])
    except LtiError as error:
        raise OAuthError('invalid_client', error.message, http_status=401) from error
    granted = sorted(set(str(form.get('scope', '')).split()) & _allowed_scopes(registration))
    if not granted:
        raise OAuthError('invalid_scope', 'None of the requested scopes is allowed.')
    return _access_token_response(registration, granted)


def control_assessment(registration_id: int, *, authorization: str, content_type: str, body: bytes) -> dict:
    """
    Apply an ACS request of registration `registration_id` and return the reply body (`status`, `extra_time`).

    Raises LtiUnauthorized (401) for a bad token or scope, LtiForbidden (403) for
    another registration's token or attempt, AcsUnsupportedMediaType (406),
    LtiError (400) for a bad body or an action not advertised,
    ExamAttemptDoesNotExist (404) and ExamIllegalStatusTransition (409).
    """
    registration = _registration(registration_id)
    _authorize(registration, authorization)
    request = _parse_request(content_type, body)
    if request.action not in registration.acs_actions:
        raise LtiError(f'Action {request.action} was not advertised to this tool.')
    attempt = _find_attempt(request, registration)
    with transaction.atomic():
        # One ACS call at a time per attempt. Lock order: the attempt row, then its LTI session
        # (as every core path locks the attempt first); a reset committed meanwhile is seen here.
        attempt = core_api.lock_attempt(attempt.id)
        _require_active(attempt)
        LtiProctoringSession.objects.select_for_update().filter(attempt_id=attempt.id).first()
        status_before = attempt.status
        with core_api.acting(reason=_tool_reason(request)):
            acs_status, extra_time = ACTION_HANDLERS[request.action](attempt, request)
        attempt = core_api.get_attempt(attempt.id)
        _record(registration, attempt, request, status_before=status_before, acs_status=acs_status)
    log.info(
        'ACS action=%s attempt_id=%s registration_id=%s from=%s to=%s',
        request.action,
        attempt.id,
        registration.id,
        status_before,
        attempt.status,
    )
    return {'status': acs_status} if extra_time is None else {'status': acs_status, 'extra_time': extra_time}


def _tool_reason(request: AcsRequest) -> str | None:
    """Return the tool's reason for the history rows (`reason_code: reason_msg`), or None to let core say why."""
    reason = ': '.join(part for part in (request.reason_code, request.reason_msg) if part)
    return f'{request.action} ({reason})' if reason else None


def _allowed_scopes(registration: LtiToolRegistration) -> set[str]:
    return {c.ACS_SCOPE} if registration.acs_actions else set()


def _access_token_response(registration: LtiToolRegistration, granted: list[str]) -> dict:
    now = int(timezone.now().timestamp())
    lifetime = settings.LTI_ACCESS_TOKEN_LIFETIME_SECONDS
    scope = ' '.join(granted)
    token = sign_platform_jwt(
        {
            'iss': issuer(),
            'aud': issuer(),
            'sub': registration.client_id,
            'client_id': registration.client_id,
            'scope': scope,
            'iat': now,
            'exp': now + lifetime,
            'jti': uuid.uuid4().hex,
        }
    )
    log.info('ACS access token issued registration_id=%s scope=%s', registration.id, scope)
    return {'access_token': token, 'token_type': 'bearer', 'expires_in': lifetime, 'scope': scope}


def _registration(registration_id: int) -> LtiToolRegistration:
    registration = LtiToolRegistration.objects.filter(pk=registration_id).first()
    if registration is None:
        raise ExamAttemptDoesNotExist('Unknown assessment control URL.')
    return registration


def _authorize(registration: LtiToolRegistration, authorization: str) -> None:
    scheme, _, token = (authorization or '').partition(' ')
    if scheme.lower() != 'bearer' or not token:
        raise LtiUnauthorized('A bearer token is required.')
    try:
        claims = decode_platform_jwt(token.strip(), audience=issuer(), issuer=issuer())
    except (jwt.PyJWTError, LtiError) as error:
        raise LtiUnauthorized('Invalid or expired access token.') from error
    if c.ACS_SCOPE not in str(claims.get('scope', '')).split():
        raise LtiUnauthorized('The access token lacks the control.all scope.')
    if claims.get('client_id') != registration.client_id:
        log.warning('ACS token of another client registration_id=%s', registration.id)
        raise LtiForbidden('The access token belongs to another tool.')


def _parse_request(content_type: str, body: bytes) -> AcsRequest:
    if (content_type or '').split(';')[0].strip().lower() not in ACCEPTED_MEDIA_TYPES:
        raise AcsUnsupportedMediaType(f'Send {c.ACS_MEDIA_TYPE}.')
    if len(body) > MAX_BODY_BYTES:
        raise LtiError('The request body is too large.')
    try:
        data = load_json(body)
    except InvalidJson as error:
        raise LtiError(f'The request body is not usable JSON: {error}') from error
    if not isinstance(data, dict):
        raise LtiError('The request body must be a JSON object.')
    return _build_request(data)


def _build_request(data: dict) -> AcsRequest:
    user, resource_link = data.get('user'), data.get('resource_link')
    action, number = data.get('action'), data.get('attempt_number')
    if not isinstance(user, dict) or not isinstance(resource_link, dict) or action not in c.ACS_ACTIONS:
        raise LtiError('user, resource_link and a known action are required.')
    if type(number) is not int:
        raise LtiError('attempt_number must be an integer.')
    return AcsRequest(
        sub=user.get('sub'),
        resource_link_id=resource_link.get('id'),
        attempt_number=number,
        action=action,
        incident_time=_parse_time(data.get('incident_time')),
        severity=_parse_severity(data.get('incident_severity')),
        extra_time=data.get('extra_time'),
        reason_code=str(data.get('reason_code') or '')[:255],
        reason_msg=str(data.get('reason_msg') or '')[:2000],
    )


def _parse_time(value: object) -> datetime:
    try:
        # parse_datetime answers None for a malformed value, ValueError for a well-formed but impossible one.
        parsed = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise LtiError('incident_time must be an ISO-8601 date and time.')
    return parsed if parsed.tzinfo else timezone.make_aware(parsed, timezone.get_default_timezone())


def _parse_severity(value: Any) -> float | None:  # any JSON value: float() refusing it is the check
    if value is None:
        return None
    try:
        severity = float(value)
    except (TypeError, ValueError, OverflowError) as error:
        raise LtiError('incident_severity must be a number.') from error
    if not 0.0 <= severity <= 1.0:
        raise LtiError('incident_severity must be between 0 and 1.')
    return severity


def _find_attempt(request: AcsRequest, registration: LtiToolRegistration) -> ExamAttempt:
    user = find_user_by_subject(request.sub)
    resource_id = _parse_uuid(request.resource_link_id)
    attempt = None
    if user is not None and resource_id is not None:
        attempt = core_api.find_attempt_by_resource_link(
            user_id=user.id, resource_id=resource_id, attempt_number=request.attempt_number
        )
    if attempt is None:
        raise ExamAttemptDoesNotExist('No attempt matches user.sub, resource_link.id and attempt_number.')
    if attempt.exam.provider_id != registration.provider_id:
        raise LtiForbidden('This attempt is not proctored by this tool.')
    _require_active(attempt)
    return attempt


def _require_active(attempt: ExamAttempt) -> None:
    """Refuse a control call on a reset attempt: a late one must not revive its result (409)."""
    if not attempt.is_active:
        # Staff reset it (or the learner retook it).
        raise ExamIllegalStatusTransition('This attempt was reset; it no longer accepts control actions.')


def _parse_uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _record(registration, attempt: ExamAttempt, request: AcsRequest, *, status_before: str, acs_status: str) -> None:
    AssessmentControlRecord.objects.create(
        registration=registration,
        attempt=attempt,
        action=request.action,
        incident_time=request.incident_time,
        severity=request.severity,
        reason_code=request.reason_code,
        reason_msg=request.reason_msg,
        # Only update uses extra_time, and has checked it by now; elsewhere it may be any (huge) value.
        extra_time=cast(int, request.extra_time) if request.action == 'update' else None,
        status_before=status_before,
        status_after=attempt.status,
        acs_status=acs_status,
    )
