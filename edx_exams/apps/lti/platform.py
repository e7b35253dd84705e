"""What every LTI flow shares: the platform's URLs, registrations, users' `sub`, tool JWT checks, replay store."""

import hashlib
import logging
import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode, urlsplit, urlunsplit

import jwt
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from edx_exams.apps.core.api import Exam, User, learning_mfe_exam_url
from edx_exams.apps.lti.constants import SIGNING_ALGORITHM
from edx_exams.apps.lti.exceptions import LtiError, LtiNotConfigured
from edx_exams.apps.lti.keys import get_tool_public_key, unverified_header
from edx_exams.apps.lti.models import LtiSubject, LtiToolRegistration, LtiUsedNonce

log = logging.getLogger(__name__)


def issuer() -> str:
    """Return the platform's issuer (`iss`): `LTI_PLATFORM_ISSUER`, or the service's base URL."""
    return (settings.LTI_PLATFORM_ISSUER or settings.EXAMS_BASE_URL).rstrip('/')


def platform_url(name: str, **kwargs) -> str:
    """Return the absolute URL of route `lti:<name>` on this service."""
    return settings.EXAMS_BASE_URL.rstrip('/') + reverse(f'lti:{name}', kwargs=kwargs or None)


def exam_url(exam: Exam) -> str:
    """Return the learning MFE page of `exam`, where the learner goes back after a launch."""
    return learning_mfe_exam_url(exam)


def url_with_params(url: str, params: dict) -> str:
    """Return `url` with `params` added to its query string."""
    parts = urlsplit(url)
    query = '&'.join(filter(None, [parts.query, urlencode(params)]))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def digest(value: str) -> str:
    """Return the SHA-256 hex digest of `value` (how hints, session secrets and nonces are stored)."""
    return hashlib.sha256(value.encode('utf-8')).hexdigest()


def new_secret() -> str:
    """Return a fresh unguessable token (256 bits)."""
    return secrets.token_urlsafe(32)


def get_registration_for_exam(exam: Exam) -> LtiToolRegistration:
    """Return the LTI registration of the exam's proctoring provider, or raise LtiNotConfigured."""
    registration = LtiToolRegistration.objects.select_related('provider').filter(provider_id=exam.provider_id).first()
    if exam.provider_id is None or registration is None:
        raise LtiNotConfigured(f'Exam {exam.id} has no LTI proctoring tool.')
    return registration


def get_registration_by_client_id(client_id: object) -> LtiToolRegistration:
    """Return the registration with `client_id`, or raise LtiError."""
    registration = LtiToolRegistration.objects.select_related('provider').filter(client_id=str(client_id)).first()
    if not isinstance(client_id, str) or registration is None:
        raise LtiError('Unknown client_id.')
    return registration


def get_subject(user: User) -> str:
    """Return the user's stable opaque LTI `sub`, creating it on first use (the LMS anonymous id if known)."""
    subject = LtiSubject.objects.filter(user=user).first()
    if subject is not None:
        return subject.sub
    candidate = user.anonymous_user_id
    if not candidate or LtiSubject.objects.filter(sub=candidate).exists():
        candidate = new_subject_id()
    try:
        with transaction.atomic():
            return LtiSubject.objects.create(user=user, sub=candidate).sub
    except IntegrityError:  # a concurrent first launch created it
        return LtiSubject.objects.get(user=user).sub


def new_subject_id() -> str:
    """Return a fresh random LTI `sub` (128 bits, hex)."""
    return secrets.token_hex(16)


def find_user_by_subject(sub: object) -> User | None:
    """Return the user whose LTI `sub` is `sub`, or None."""
    if not isinstance(sub, str):
        return None
    subject = LtiSubject.objects.select_related('user').filter(sub=sub).first()
    return subject.user if subject else None


def decode_tool_jwt(
    token: object, *, audience: str | list[str], require: list[str]
) -> tuple[LtiToolRegistration, dict]:
    """
    Verify a JWT signed by a registered tool and return its registration and claims.

    Only RS256 with a `kid` header; `iss` names the registration (its client id);
    the signature, `aud`, `exp` and `iat` (small leeway, bounded age and
    lifetime) and every claim in `require` are checked.
    """
    if not isinstance(token, str) or not token or len(token) > settings.LTI_MAX_JWT_LENGTH:
        raise LtiError('Missing or oversized JWT.')
    header = unverified_header(token)
    if header.get('alg') != SIGNING_ALGORITHM or not isinstance(header.get('kid'), str):
        raise LtiError('The JWT must be signed with RS256 and name its key (kid).')
    try:
        unverified = jwt.decode(token, options={'verify_signature': False})
    except jwt.PyJWTError as error:
        raise LtiError('Malformed JWT.') from error
    registration = get_registration_by_client_id(unverified.get('iss'))
    key = get_tool_public_key(registration, header['kid'])
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[SIGNING_ALGORITHM],
            audience=audience,
            issuer=registration.client_id,
            leeway=settings.LTI_JWT_LEEWAY_SECONDS,
            options={'require': ['iss', 'aud', 'exp', 'iat', *require]},
        )
    except jwt.PyJWTError as error:
        log.info('Tool JWT rejected registration_id=%s reason=%s', registration.id, type(error).__name__)
        raise LtiError('Invalid JWT.') from error
    check_token_age(claims)
    return registration, claims


def check_token_age(claims: dict, *, now: datetime | None = None) -> None:
    """Refuse a tool token issued too long ago or valid for too long (bounds the replay store)."""
    # PyJWT accepts any value int() takes ("1700000000" too); a NumericDate is a JSON number (RFC 7519).
    if not all(type(claims[name]) in (int, float) for name in ('iat', 'exp')):
        raise LtiError('iat and exp must be numbers.')
    now_ts = (now or timezone.now()).timestamp()
    max_age = settings.LTI_TOOL_JWT_MAX_AGE_SECONDS
    if claims['iat'] < now_ts - max_age or claims['exp'] > now_ts + max_age:
        raise LtiError('The JWT is too old or lives too long.')


def use_once(registration: LtiToolRegistration, *, kind: str, value: object, expires_ts: float) -> None:
    """Record single-use `value` (a nonce or jti) of `kind`; raise LtiError if it was used before."""
    if not isinstance(value, str) or not value:
        raise LtiError(f'Missing {kind} nonce.')
    expires_at = datetime.fromtimestamp(expires_ts, tz=UTC) + timedelta(seconds=settings.LTI_JWT_LEEWAY_SECONDS)
    try:
        with transaction.atomic():
            LtiUsedNonce.objects.create(
                registration=registration, kind=kind, value_hash=digest(value), expires_at=expires_at
            )
    except IntegrityError as error:
        log.warning('Replayed value refused registration_id=%s kind=%s', registration.id, kind)
        raise LtiError(f'The {kind} nonce was already used.') from error
