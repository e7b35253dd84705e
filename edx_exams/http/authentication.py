"""JWT authentication: strict signature and claim checks, and users keyed on their LMS user id."""

import functools
import json
import logging
import time
from dataclasses import dataclass
from typing import Any, cast

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from edx_rest_framework_extensions.auth.jwt.authentication import JwtAuthentication
from edx_rest_framework_extensions.auth.jwt.decoder import _set_token_defaults as set_token_defaults
from edx_rest_framework_extensions.auth.jwt.decoder import get_verification_jwk_key_set
from jwt import PyJWK
from rest_framework import exceptions

from edx_exams.apps.core.api import User
from edx_exams.compiled_queries import CompiledQuery, field_names, instance_from_row
from edx_exams.http.db_errors import is_database_unavailable

log = logging.getLogger(__name__)

# The largest LMS user id the `lms_user_id` column holds (a signed 32-bit integer on MySQL).
MAX_LMS_USER_ID = 2**31 - 1
# Longest text claims, as long as the user columns they are copied to.
MAX_CLAIM_LENGTHS = {'username': 150, 'email': 254, 'name': 255}


class ExamsJwtAuthentication(JwtAuthentication):
    """
    edx-drf-extensions' JwtAuthentication, made safe for odd claims and renamed or reused LMS usernames.

    - Every claim copied to the user row is checked first: `user_id` a positive
      integer, the username a non-blank string, `email` and `name` strings (or
      null), `administrator` a boolean (or null). Anything else is a 401.
    - The LMS user id is the identity. When the LMS renames a user, the token
      keeps the same `user_id` under a new username; we rename the local row.
    - A username held here by another LMS user id is refused (401, logged): the
      token's user never gets that row's roles and attempts
      (docs/decisions/0012-hostile-input-and-identity.rst).
    - A deactivated (retired) user is refused, and a token never renames a
      retired row back to its old name.
    """

    def authenticate_credentials(self, payload: dict[str, Any]) -> User:
        """Return the active user of the token, renaming the row known by the LMS user id if needed."""
        lms_user_id, username = _checked_identity(payload)
        if lms_user_id is not None:
            known = _known_user(lms_user_id, username, payload, self.get_jwt_claim_attribute_map())
            if known is not None:
                return known
            _reconcile_lms_identity(lms_user_id, username)
        try:
            user: User = super().authenticate_credentials(payload)
        except IntegrityError as error:  # pragma: no cover - a concurrent first login; the retry finds the row
            raise exceptions.AuthenticationFailed('Please retry.') from error
        except exceptions.AuthenticationFailed as error:
            # The parent turns every error into a 401; a database outage must stay a 503.
            cause = error.__cause__
            if cause is not None and is_database_unavailable(cause):
                raise cause from None
            raise
        if not user.is_active:
            raise exceptions.AuthenticationFailed('User inactive or retired.')
        return user


def _checked_identity(payload: dict[str, Any]) -> tuple[int | None, str]:
    """Return the token's (LMS user id, username) after checking every claim copied to the user; 401 if wrong."""
    lms_user_id = payload.get('user_id')
    if lms_user_id is not None and not _is_lms_user_id(lms_user_id):
        raise exceptions.AuthenticationFailed('The JWT user_id claim must be a positive integer.')
    username = payload.get('preferred_username') or payload.get('username')
    if not isinstance(username, str) or not _is_clean_text(username, MAX_CLAIM_LENGTHS['username']):
        raise exceptions.AuthenticationFailed('The JWT username claim must be a non-blank string.')
    if not username.strip():
        raise exceptions.AuthenticationFailed('The JWT username claim must be a non-blank string.')
    for claim in ('email', 'name'):
        value = payload.get(claim)
        if value is not None and not _is_clean_text(value, MAX_CLAIM_LENGTHS[claim]):
            raise exceptions.AuthenticationFailed(f'The JWT {claim} claim must be a string.')
    if payload.get('administrator') is not None and not isinstance(payload['administrator'], bool):
        raise exceptions.AuthenticationFailed('The JWT administrator claim must be a boolean.')
    return lms_user_id, username


def _is_lms_user_id(value: object) -> bool:
    return type(value) is int and 0 < value <= MAX_LMS_USER_ID


def _is_clean_text(value: object, max_length: int) -> bool:
    """Return True for a string that fits its column and that every database can store (no NUL, no surrogate)."""
    if not isinstance(value, str) or len(value) > max_length or '\x00' in value:
        return False
    try:
        value.encode('utf-8')
    except UnicodeEncodeError:
        return False
    return True


def _users_by_identity(lms_user_id: int, username: str) -> Any:
    user_model = get_user_model()
    matches = user_model.objects.filter(Q(lms_user_id=lms_user_id) | Q(username=username))
    return matches.values(*field_names(user_model))[:2]


# The rows holding a token's LMS user id or its username, compiled once (edx_exams/compiled_queries.py).
_USERS_BY_IDENTITY = CompiledQuery(_users_by_identity, lms_user_id=-7_654_321, username='\x00username\x00')


def _known_user(
    lms_user_id: int, username: str, payload: dict[str, Any], claim_attributes: dict[str, str]
) -> User | None:
    """
    Return the user of a returning learner in one indexed read, or None to take the full path.

    The common case on every request: one active row holds both the LMS user id and the exact
    username, and every claim the token carries already equals its column. Anything else (a first
    login, a rename, a reused username, a changed email or name, a retired user) returns None and
    goes through the checks and updates of the full path.
    """
    rows = _USERS_BY_IDENTITY.rows(lms_user_id=lms_user_id, username=username)
    if not rows:
        return _first_login(username, payload, claim_attributes)
    if len(rows) != 1:
        return None
    user: User = instance_from_row(get_user_model(), rows[0])
    if user.lms_user_id != lms_user_id or user.username != username or not user.is_active:
        return None
    for claim, attribute in claim_attributes.items():
        value = payload.get(claim)
        if value is not None and getattr(user, attribute) != value:
            return None
    return user


def _first_login(username: str, payload: dict[str, Any], claim_attributes: dict[str, str]) -> User | None:
    """
    Create the user of a token seen for the first time, with every claim at once; None if a twin won.

    edx-drf-extensions would create the row with the username only and then update it with the
    claims: two more statements on the learner's first request, which is often a start.
    """
    values = {
        attribute: payload[claim] for claim, attribute in claim_attributes.items() if payload.get(claim) is not None
    }
    try:
        with transaction.atomic():
            user: User = get_user_model().objects.create(username=username, **values)
    except IntegrityError:
        return None  # a concurrent first request of the same learner created it: the full path finds it
    return user


def _reconcile_lms_identity(lms_user_id: int, username: str) -> None:
    """
    Make the local row of LMS user `lms_user_id` carry `username`, or refuse the token (401).

    One query finds the row with the LMS user id and the row with the username
    (the database's comparison, case-insensitive on MySQL). A username row of
    another LMS user id is a reused or forged name: refused and logged. A retired
    row is refused. A row renamed by the LMS is renamed here, unless the new name
    is taken.
    """
    rows = list(get_user_model().objects.filter(Q(lms_user_id=lms_user_id) | Q(username=username))[:2])
    mine = next((row for row in rows if row.lms_user_id == lms_user_id), None)
    other = next((row for row in rows if row.lms_user_id != lms_user_id), None)
    if other is not None and other.lms_user_id is not None:
        log.error(
            'Refusing JWT: username=%s belongs to local_lms_user_id=%s, token_lms_user_id=%s',
            username,
            other.lms_user_id,
            lms_user_id,
        )
        raise exceptions.AuthenticationFailed('This username belongs to another LMS user.')
    if mine is None or mine.username == username:
        return
    if not mine.is_active:
        raise exceptions.AuthenticationFailed('User inactive or retired.')
    if other is None:
        log.info('Renaming user lms_user_id=%s from=%s to=%s', lms_user_id, mine.username, username)
        mine.username = username
        mine.save(update_fields=['username'])


def jwt_decode_handler(token: str) -> dict[str, Any]:
    """
    JWT_DECODE_HANDLER: verify the signature against a non-empty key set and the claims, once per token.

    The checks are edx-drf-extensions': the signature by one of the LMS's public keys or the first
    issuer's secret (RS256/RS512 for RSA keys, HS256 for the secret), `exp` and `iat` present, `exp`
    not passed (with JWT_LEEWAY), the first issuer's audience, an issuer from JWT_ISSUERS and a
    supported `version`. Three things differ. edx-drf-extensions 10.x treats an empty asymmetric key
    set as a successful verification (its key loop never runs), so with only a symmetric secret any
    signature, or `alg: none`, would pass its first check; we refuse when no key verifies. It
    decodes a token three times on every request; this decodes it once per key tried. And a token
    that passed is remembered (the last VERIFIED_TOKENS tokens of the process, for the same
    configuration): the learner library sends the same JWT on every request until it expires, and
    what a signature proves does not change; its expiry is checked again on every request.
    Claims of the wrong type are refused as an invalid token.
    """
    config = _DecodeConfig.current()
    claims = _verified_claims(token, config)
    if config.verify_exp and claims['exp'] <= time.time() - config.leeway:
        raise jwt.ExpiredSignatureError('Signature has expired')
    return dict(claims)


# How many verified tokens a process remembers: more than the learners one worker serves in a
# token's lifetime on a busy exam day, at about a kilobyte each.
VERIFIED_TOKENS = 20_000


@dataclass(frozen=True)
class _DecodeConfig:
    """The settings a token is verified against; a change (a key rotation in a test) starts afresh."""

    asymmetric_key_set: str | None
    secret: str | None
    audience: str | None
    issuers: frozenset[str | None]
    verify_exp: bool
    leeway: float

    @classmethod
    def current(cls) -> '_DecodeConfig':
        jwt_auth = cast(dict[str, Any], settings.JWT_AUTH)
        issuers: list[dict[str, str]] = jwt_auth.get('JWT_ISSUERS') or []
        first = issuers[0] if issuers else {}
        return cls(
            asymmetric_key_set=_asymmetric_key_set(),
            secret=first.get('SECRET_KEY'),
            audience=first.get('AUDIENCE'),
            issuers=frozenset(issuer.get('ISSUER') for issuer in issuers),
            verify_exp=bool(jwt_auth.get('JWT_VERIFY_EXPIRATION', True)),
            leeway=float(jwt_auth.get('JWT_LEEWAY', 0)),
        )


@functools.lru_cache(maxsize=VERIFIED_TOKENS)
def _verified_claims(token: str, config: _DecodeConfig) -> dict[str, Any]:
    """Return the verified claims of `token` (with edx's defaults); raise if it does not verify."""
    keys = _verification_keys(config.asymmetric_key_set, config.secret)
    if not keys:
        raise jwt.InvalidTokenError('No JWT verification key is configured.')
    claims = _decode_with_any_key(token, keys, config)
    token_issuer = claims.get('iss')
    if not isinstance(token_issuer, str) or token_issuer not in config.issuers:
        log.info('Refusing a JWT of an unknown issuer %r', token_issuer)
        raise jwt.InvalidTokenError('The JWT issuer is not known.')
    try:
        return cast(dict[str, Any], set_token_defaults(claims))
    except (TypeError, ValueError, AttributeError) as error:
        # A signed token whose `version` is not a version string is a 401, not a 500.
        log.warning('Refusing a JWT with malformed claims: %s', error)
        raise jwt.InvalidTokenError('The JWT claims are malformed.') from error


# The algorithms a key of each type verifies (as edx-drf-extensions allows them).
_ALGORITHMS = {'RSA': ['RS256', 'RS512'], 'oct': ['HS256']}


def _decode_with_any_key(token: str, keys: tuple[PyJWK, ...], config: _DecodeConfig) -> dict[str, Any]:
    """Return the claims of `token` verified by the first key whose signature matches; raise if none does."""
    options = {
        'require': ['exp', 'iat'],
        'verify_exp': config.verify_exp,
        'verify_aud': bool(config.audience),
        'verify_iss': False,  # any issuer of JWT_ISSUERS, checked by the caller
    }
    for number, key in enumerate(keys, start=1):
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key.key,
                algorithms=_ALGORITHMS.get(str(key.key_type), []),
                audience=config.audience,
                options=options,  # type: ignore[arg-type]
                leeway=config.leeway,
            )
        except (jwt.InvalidSignatureError, jwt.InvalidAlgorithmError):
            if number == len(keys):
                raise
            continue  # signed with another key of the set
        return claims
    raise jwt.InvalidTokenError('No JWT verification key is configured.')  # pragma: no cover - keys is not empty


def _asymmetric_key_set() -> str | None:
    value = settings.JWT_AUTH.get('JWT_PUBLIC_SIGNING_JWK_SET')
    return value if isinstance(value, str) else (json.dumps(value) if value else None)


@functools.lru_cache(maxsize=8)
def _verification_keys(asymmetric_key_set: str | None, secret: str | None) -> tuple[PyJWK, ...]:
    """Return the keys that may sign a JWT: the LMS's public keys, then the symmetric secret (built once)."""
    return tuple(get_verification_jwk_key_set(asymmetric_keys=asymmetric_key_set, secret_key=secret))
