"""
LMS-style JWTs signed with the configured symmetric secret.

Used by `manage.py dev_jwt` and by the tests. In development the LMS devstack
convention applies: HS256, secret `lms-secret`, issuer
`http://localhost:18000/oauth2`, audience `lms-key`. Production JWTs are issued
by the LMS itself, never by this module.
"""

import time
from typing import Any, cast

import jwt
from django.conf import settings

from edx_exams.apps.core.models import User


def build_lms_jwt_payload(user: User, *, expires_in: int = 3600, **overrides: Any) -> dict[str, Any]:
    """Return the claims the LMS puts in a user's access token, with `overrides` applied."""
    issuer = _first_issuer()
    now = int(time.time())
    payload = {
        'iss': issuer['ISSUER'],
        'aud': issuer['AUDIENCE'],
        'iat': now,
        'exp': now + expires_in,
        'preferred_username': user.username,
        'user_id': user.lms_user_id,
        'email': user.email,
        'name': user.full_name,
        'administrator': user.is_staff,
        'email_verified': True,
        'version': '1.2.0',
        'scopes': ['read', 'write', 'email', 'profile'],
        'filters': [],
        'is_restricted': False,
    }
    payload.update(overrides)
    return payload


def encode_lms_jwt(payload: dict[str, Any], *, secret: str | None = None, algorithm: str = 'HS256') -> str:
    """Sign `payload` with the configured issuer secret (or `secret`)."""
    key = secret if secret is not None else _first_issuer()['SECRET_KEY']
    return jwt.encode(payload, key, algorithm=algorithm)


def build_lms_jwt(user: User, *, expires_in: int = 3600, **overrides: Any) -> str:
    """Return a signed LMS-style JWT for `user`."""
    return encode_lms_jwt(build_lms_jwt_payload(user, expires_in=expires_in, **overrides))


def _first_issuer() -> dict[str, str]:
    """Return the first of JWT_AUTH's issuers: the LMS whose tokens these imitate."""
    jwt_auth = cast(dict[str, Any], settings.JWT_AUTH)
    return cast(dict[str, str], jwt_auth['JWT_ISSUERS'][0])
