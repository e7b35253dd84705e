"""JWT authentication: strict signature and claim checks, and users keyed on their LMS user id."""

import logging
from typing import Any, cast

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError
from django.db.models import Q
from edx_rest_framework_extensions.auth.jwt.authentication import JwtAuthentication
from edx_rest_framework_extensions.auth.jwt.decoder import (
    get_verification_jwk_key_set,
    verify_jwk_signature_using_keyset,
)
from edx_rest_framework_extensions.auth.jwt.decoder import jwt_decode_handler as edx_jwt_decode_handler
from rest_framework import exceptions

from edx_exams.apps.core.api import User
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
    JWT_DECODE_HANDLER: verify the signature against a non-empty key set, then check the claims.

    edx-drf-extensions 10.x treats an empty asymmetric key set as a successful
    verification (its key loop never runs), so with only a symmetric secret
    configured any signature, or `alg: none`, would pass its first check. We
    verify with every configured key ourselves and refuse when there is none.
    Claims of the wrong type, on which edx-drf-extensions fails with TypeError or
    ValueError, are refused as an invalid token.
    """
    key_set = get_verification_jwk_key_set(
        asymmetric_keys=settings.JWT_AUTH.get('JWT_PUBLIC_SIGNING_JWK_SET'),
        secret_key=_symmetric_secret(),
    )
    if not key_set:
        raise jwt.InvalidTokenError('No JWT verification key is configured.')
    verify_jwk_signature_using_keyset(token, key_set, verify_exp=False)
    try:
        claims: dict[str, Any] = edx_jwt_decode_handler(token)
    except (TypeError, ValueError, AttributeError) as error:
        # edx-drf-extensions assumes well-typed claims (`version` a string, say); a signed token that is not is a 401.
        log.warning('Refusing a JWT with malformed claims: %s', error)
        raise jwt.InvalidTokenError('The JWT claims are malformed.') from error
    return claims


def _symmetric_secret() -> str | None:
    issuers: list[dict[str, str]] = cast(dict[str, Any], settings.JWT_AUTH).get('JWT_ISSUERS') or [{}]
    return issuers[0].get('SECRET_KEY')
