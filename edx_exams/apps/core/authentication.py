"""JWT authentication: strict signature checks, and users keyed on their LMS user id."""

import logging
from typing import Any, cast

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError
from edx_rest_framework_extensions.auth.jwt.authentication import JwtAuthentication
from edx_rest_framework_extensions.auth.jwt.decoder import (
    get_verification_jwk_key_set,
    verify_jwk_signature_using_keyset,
)
from edx_rest_framework_extensions.auth.jwt.decoder import jwt_decode_handler as edx_jwt_decode_handler
from rest_framework import exceptions

from edx_exams.apps.core.models import User

log = logging.getLogger(__name__)


class ExamsJwtAuthentication(JwtAuthentication):  # type: ignore[misc]  # edx-drf-extensions is untyped
    """
    edx-drf-extensions' JwtAuthentication, made safe for renamed LMS users.

    The parent finds users by username only. When the LMS renames a user, the
    token keeps the same `user_id` under a new username; we rename the local row
    instead of failing on the unique `lms_user_id`. A deactivated (retired) user
    is refused, and a token never renames a retired row back to its old name.
    """

    def authenticate_credentials(self, payload: dict[str, Any]) -> User:
        """Return the active user of the token, renaming the row known by the LMS user id if needed."""
        lms_user_id = payload.get('user_id')
        username = payload.get('preferred_username') or payload.get('username')
        if lms_user_id is not None and username:
            self._rename_user_with_lms_id(lms_user_id, username)
        try:
            user: User = super().authenticate_credentials(payload)
        except IntegrityError as error:  # pragma: no cover - a concurrent first login; the retry finds the row
            raise exceptions.AuthenticationFailed('Please retry.') from error
        if not user.is_active:
            raise exceptions.AuthenticationFailed('User inactive or retired.')
        return user

    @staticmethod
    def _rename_user_with_lms_id(lms_user_id: int, username: str) -> None:
        user_model = get_user_model()
        existing = user_model.objects.filter(lms_user_id=lms_user_id).exclude(username=username).first()
        if existing is None or not existing.is_active:
            if existing is not None:
                raise exceptions.AuthenticationFailed('User inactive or retired.')
            return
        if user_model.objects.filter(username=username).exists():
            return
        log.info('Renaming user lms_user_id=%s from=%s to=%s', lms_user_id, existing.username, username)
        existing.username = username
        existing.save(update_fields=['username'])


def jwt_decode_handler(token: str) -> dict[str, Any]:
    """
    JWT_DECODE_HANDLER: verify the signature against a non-empty key set, then check the claims.

    edx-drf-extensions 10.x treats an empty asymmetric key set as a successful
    verification (its key loop never runs), so with only a symmetric secret
    configured any signature, or `alg: none`, would pass its first check. We
    verify with every configured key ourselves and refuse when there is none.
    """
    key_set = get_verification_jwk_key_set(
        asymmetric_keys=settings.JWT_AUTH.get('JWT_PUBLIC_SIGNING_JWK_SET'),
        secret_key=_symmetric_secret(),
    )
    if not key_set:
        raise jwt.InvalidTokenError('No JWT verification key is configured.')
    verify_jwk_signature_using_keyset(token, key_set, verify_exp=False)
    claims: dict[str, Any] = edx_jwt_decode_handler(token)
    return claims


def _symmetric_secret() -> str | None:
    issuers: list[dict[str, str]] = cast(dict[str, Any], settings.JWT_AUTH).get('JWT_ISSUERS') or [{}]
    return issuers[0].get('SECRET_KEY')
