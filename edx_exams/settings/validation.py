"""
What production refuses to start without.

`production_settings_problems` reads a settings mapping (the production module's
globals while it loads, or `django.conf.settings` afterwards) and names every
setting that is missing or still a development default. The production module
calls `require_production_settings`, which raises `ImproperlyConfigured` with the
whole list, so a misconfigured service never serves a request. The same check is
a deploy-tagged system check and `manage.py check_production_settings`.
"""

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from jwt import PyJWK, PyJWKSet
from jwt.exceptions import PyJWTError

# Secrets published in this repository or in the Open edX devstack: never valid in production.
DEV_SECRET_KEYS = frozenset({'insecure-secret-key'})
DEV_JWT_SECRETS = frozenset({'lms-secret'})
DEV_KEYS_DIR = Path(__file__).resolve().parent / 'dev_keys'


def require_production_settings(settings: Mapping[str, Any]) -> None:
    """Raise ImproperlyConfigured naming every missing or unsafe production setting."""
    problems = production_settings_problems(settings)
    if problems:
        raise ImproperlyConfigured(
            'edx-exams refuses to start with unsafe production settings:\n- ' + '\n- '.join(problems)
        )


def production_settings_problems(settings: Mapping[str, Any]) -> list[str]:
    """Return one sentence per missing or unsafe setting; empty when production may start."""
    checks = (
        _debug_problems,
        _secret_key_problems,
        _allowed_hosts_problems,
        _database_problems,
        _jwt_auth_problems,
        _token_signing_problems,
        _lti_secret_problems,
    )
    return [problem for check in checks for problem in check(settings)]


def _debug_problems(settings: Mapping[str, Any]) -> list[str]:
    if settings.get('DEBUG'):
        return ['DEBUG must be false in production.']
    return []


def _secret_key_problems(settings: Mapping[str, Any]) -> list[str]:
    secret = settings.get('SECRET_KEY')
    if not secret:
        return ['SECRET_KEY is not set (YAML key SECRET_KEY or EDX_EXAMS_SECRET_KEY).']
    if secret in DEV_SECRET_KEYS:
        return ['SECRET_KEY is the development default; set a long random secret.']
    return []


def _allowed_hosts_problems(settings: Mapping[str, Any]) -> list[str]:
    if not settings.get('ALLOWED_HOSTS'):
        return ['ALLOWED_HOSTS is empty; list the host names the service answers on.']
    return []


def _database_problems(settings: Mapping[str, Any]) -> list[str]:
    default = (settings.get('DATABASES') or {}).get('default') or {}
    engine = default.get('ENGINE', '')
    if not engine:
        return ['DATABASES["default"] is not set (YAML key DATABASES or EDX_EXAMS_DATABASE_HOST).']
    if not engine.endswith('mysql'):
        return [f'DATABASES["default"]["ENGINE"] is {engine!r}; production runs on MySQL (django.db.backends.mysql).']
    return []


def _jwt_auth_problems(settings: Mapping[str, Any]) -> list[str]:
    jwt_auth = settings.get('JWT_AUTH') or {}
    issuers = jwt_auth.get('JWT_ISSUERS') or []
    problems = []
    if jwt_auth.get('JWT_SECRET_KEY') in DEV_JWT_SECRETS:
        problems.append('JWT_AUTH["JWT_SECRET_KEY"] is the devstack secret "lms-secret".')
    for index, issuer in enumerate(issuers):
        if not issuer.get('ISSUER') or not issuer.get('AUDIENCE'):
            problems.append(f'JWT_AUTH["JWT_ISSUERS"][{index}] needs ISSUER and AUDIENCE.')
        if issuer.get('SECRET_KEY') in DEV_JWT_SECRETS:
            problems.append(f'JWT_AUTH["JWT_ISSUERS"][{index}]["SECRET_KEY"] is the devstack secret "lms-secret".')
    public_set = jwt_auth.get('JWT_PUBLIC_SIGNING_JWK_SET')
    if public_set and not _is_usable_key(public_set, key_set=True):
        problems.append('JWT_AUTH["JWT_PUBLIC_SIGNING_JWK_SET"] is not a JSON web key set with at least one key.')
    has_secret = any(issuer.get('SECRET_KEY') for issuer in issuers)
    if not issuers:
        problems.append('JWT_AUTH["JWT_ISSUERS"] is empty; list the LMS issuer(s) with ISSUER and AUDIENCE.')
    elif not has_secret and not jwt_auth.get('JWT_PUBLIC_SIGNING_JWK_SET'):
        problems.append('JWT_AUTH has no verification key: set JWT_PUBLIC_SIGNING_JWK_SET or an issuer SECRET_KEY.')
    return problems


def _token_signing_problems(settings: Mapping[str, Any]) -> list[str]:
    signing = settings.get('TOKEN_SIGNING') or {}
    private_jwk = signing.get('JWT_PRIVATE_SIGNING_JWK')
    problems = []
    if not signing.get('JWT_ISSUER'):
        problems.append('TOKEN_SIGNING["JWT_ISSUER"] is not set (the issuer of exam access tokens).')
    if not private_jwk:
        problems.append('TOKEN_SIGNING["JWT_PRIVATE_SIGNING_JWK"] is not set (the exam access token signing key).')
    elif _is_dev_key(private_jwk):
        problems.append('TOKEN_SIGNING["JWT_PRIVATE_SIGNING_JWK"] is the development key published in this repository.')
    elif not _is_usable_key(private_jwk, key_set=False):
        problems.append('TOKEN_SIGNING["JWT_PRIVATE_SIGNING_JWK"] is not a JSON web key.')
    public_set = signing.get('JWT_PUBLIC_SIGNING_JWK_SET')
    if not public_set:
        problems.append('TOKEN_SIGNING["JWT_PUBLIC_SIGNING_JWK_SET"] is not set (the LMS verifies tokens with it).')
    elif _is_dev_key(public_set):
        problems.append('TOKEN_SIGNING["JWT_PUBLIC_SIGNING_JWK_SET"] is the development key set of this repository.')
    elif not _is_usable_key(public_set, key_set=True):
        problems.append('TOKEN_SIGNING["JWT_PUBLIC_SIGNING_JWK_SET"] is not a JSON web key set with at least one key.')
    return problems


def _lti_secret_problems(settings: Mapping[str, Any]) -> list[str]:
    secret = settings.get('LTI_KEY_ENCRYPTION_SECRET')
    if not secret:
        return ['LTI_KEY_ENCRYPTION_SECRET is not set (YAML key or EDX_EXAMS_LTI_KEY_ENCRYPTION_SECRET).']
    if secret in DEV_SECRET_KEYS or secret in DEV_JWT_SECRETS:
        return ['LTI_KEY_ENCRYPTION_SECRET is a development default; set a long random secret.']
    return []


def _is_dev_key(value: str | dict) -> bool:
    """Return True when `value` (a JWK or JWK set) holds a development key committed in this repository."""
    parsed = _parsed(value)
    keys = parsed['keys'] if isinstance(parsed, dict) and isinstance(parsed.get('keys'), list) else [parsed]
    dev_moduli = _dev_moduli()
    return any(isinstance(key, dict) and key.get('n') in dev_moduli for key in keys)


def _dev_moduli() -> set[str]:
    """Return the RSA moduli of the development keys under settings/dev_keys."""
    private = json.loads((DEV_KEYS_DIR / 'token_signing_private.jwk.json').read_text())
    public = json.loads((DEV_KEYS_DIR / 'token_signing_public.jwks.json').read_text())
    return {private['n'], *(key['n'] for key in public['keys'])}


def _parsed(value: str | dict) -> Any:
    if isinstance(value, dict):
        return value
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return None


def _is_usable_key(value: str | dict, *, key_set: bool) -> bool:
    """Return True when `value` parses as a JSON web key (or a non-empty key set) PyJWT can use."""
    parsed = _parsed(value)
    if not isinstance(parsed, dict):
        return False
    try:
        if key_set:
            return bool(PyJWKSet.from_dict(parsed).keys)
        PyJWK.from_dict(parsed)
    except (PyJWTError, KeyError, TypeError, ValueError):
        return False
    return True
