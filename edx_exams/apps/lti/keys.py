"""
Keys: the platform's own RSA key set (signing, JWKS, rotation) and the tools' public keys.

Platform private keys are stored encrypted with a Fernet key derived from
`LTI_KEY_ENCRYPTION_SECRET` (or `SECRET_KEY`). The newest unretired key signs;
a retired key stays in the JWKS until every token it may have signed expired.

Tool keys come from the registration's PEM or from its JWKS URL. The JWKS URL
is fetched as registered: redirects are refused, and so is a host that resolves
to a loopback, private or link-local address unless
`LTI_TOOL_JWKS_ALLOW_PRIVATE_ADDRESSES` is on (any JWT naming the tool triggers
the fetch, so it must not reach into the platform's own network). The JWKS is
cached; an unknown `kid` triggers one refetch, at most once per
`LTI_TOOL_JWKS_REFETCH_INTERVAL_SECONDS`, and a failed fetch is not tried again
within that interval either, so a flood of bogus kids (or of any tool JWT while
the tool's JWKS is down) cannot turn the platform into a request amplifier.
"""

import base64
import hashlib
import ipaddress
import json
import logging
import socket
import time
import urllib.request
import uuid
from datetime import datetime, timedelta
from functools import lru_cache
from typing import cast
from urllib.parse import urlsplit

import jwt
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from edx_exams.apps.lti.constants import RSA_KEY_SIZE, SIGNING_ALGORITHM
from edx_exams.apps.lti.exceptions import LtiError
from edx_exams.apps.lti.models import LtiPlatformKey, LtiToolRegistration

log = logging.getLogger(__name__)

JWKS_MAX_BYTES = 64 * 1024


# ---------------------------------------------------------------------------
# Platform keys
# ---------------------------------------------------------------------------
def create_platform_key(*, private_key: rsa.RSAPrivateKey | None = None) -> LtiPlatformKey:
    """Store a new platform key (a fresh 2048-bit RSA key unless `private_key` is given) and return it."""
    private_key = private_key or rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_SIZE)
    kid = uuid.uuid4().hex
    public_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key()))
    public_jwk.update({'kid': kid, 'alg': SIGNING_ALGORITHM, 'use': 'sig'})
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    encrypted = _fernet().encrypt(pem).decode('ascii')
    key = LtiPlatformKey.objects.create(kid=kid, public_jwk=public_jwk, private_key_encrypted=encrypted)
    log.info('LTI platform key created kid=%s', kid)
    return key


def rotate_platform_keys(*, now: datetime | None = None) -> LtiPlatformKey:
    """Create a new signing key, retire the previous ones and delete keys no live token can need."""
    now = now or timezone.now()
    with transaction.atomic():
        LtiPlatformKey.objects.filter(retired_at__isnull=True).update(retired_at=now)
        new_key = create_platform_key()
    deleted, _ = LtiPlatformKey.objects.filter(retired_at__lt=now - retired_key_lifetime()).delete()
    log.info('LTI platform keys rotated kid=%s deleted=%s', new_key.kid, deleted)
    return new_key


def retired_key_lifetime() -> timedelta:
    """Return how long a retired key stays published: the longest token lifetime plus leeway."""
    longest = max(settings.LTI_ID_TOKEN_LIFETIME_SECONDS, settings.LTI_ACCESS_TOKEN_LIFETIME_SECONDS)
    return timedelta(seconds=longest + settings.LTI_JWT_LEEWAY_SECONDS)


def get_public_jwks(*, now: datetime | None = None) -> dict:
    """Return the platform JWKS: the signing key and every retired key still in its publication window."""
    now = now or timezone.now()
    _signing_key()
    keys = LtiPlatformKey.objects.exclude(retired_at__lt=now - retired_key_lifetime())
    return {'keys': [key.public_jwk for key in keys]}


def sign_platform_jwt(claims: dict) -> str:
    """Sign `claims` with the platform's current key (RS256, `kid` header)."""
    key = _signing_key()
    return jwt.encode(claims, _private_key(key.kid, key.private_key_encrypted), SIGNING_ALGORITHM, {'kid': key.kid})


def decode_platform_jwt(token: str, *, audience: str, issuer: str) -> dict:
    """Verify a JWT this platform signed (kid among the published keys, RS256) and return its claims."""
    kid = unverified_header(token).get('kid')
    key = LtiPlatformKey.objects.filter(kid=kid).first() if isinstance(kid, str) else None
    if key is None or (key.retired_at and key.retired_at < timezone.now() - retired_key_lifetime()):
        raise LtiError('Unknown platform key.')
    public_key = jwt.PyJWK(key.public_jwk, SIGNING_ALGORITHM).key
    return jwt.decode(
        token,
        public_key,
        algorithms=[SIGNING_ALGORITHM],
        audience=audience,
        issuer=issuer,
        leeway=settings.LTI_JWT_LEEWAY_SECONDS,
        options={'require': ['exp', 'iat', 'iss', 'aud', 'sub']},
    )


def _signing_key() -> LtiPlatformKey:
    key = LtiPlatformKey.objects.filter(retired_at__isnull=True).first()
    return key or create_platform_key()


@lru_cache(maxsize=16)
def _private_key(kid: str, encrypted: str) -> rsa.RSAPrivateKey:
    """Decrypt and load a platform private key (cached: the row never changes)."""
    try:
        pem = _fernet().decrypt(encrypted.encode('ascii'))
    except InvalidToken as error:
        raise LtiError(f'Platform key {kid} cannot be decrypted; rotate the keys.') from error
    # Our own key, authenticated by Fernet: the (slow) checks meant for untrusted keys add nothing.
    key = serialization.load_pem_private_key(pem, password=None, unsafe_skip_rsa_key_validation=True)
    return cast(rsa.RSAPrivateKey, key)  # platform keys are only ever made as RSA keys


def _fernet() -> Fernet:
    secret = (settings.LTI_KEY_ENCRYPTION_SECRET or settings.SECRET_KEY).encode('utf-8')
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b'edx-exams lti platform keys').derive(secret)
    return Fernet(base64.urlsafe_b64encode(derived))


# ---------------------------------------------------------------------------
# Tool keys
# ---------------------------------------------------------------------------
def get_tool_public_key(registration: LtiToolRegistration, kid: str):
    """Return the tool's RSA public key for `kid`, from its PEM or its (cached) JWKS; raise LtiError if unknown."""
    if registration.tool_public_key.strip():
        return _load_tool_pem(registration.tool_public_key)
    if not registration.tool_jwks_url:
        raise LtiError('The tool has no public key.')
    jwks = _cached_tool_jwks(registration.tool_jwks_url)
    jwk = _find_jwk(jwks, kid)
    if jwk is None and time.time() - jwks['fetched_at'] >= settings.LTI_TOOL_JWKS_REFETCH_INTERVAL_SECONDS:
        log.info('Unknown tool kid, refetching JWKS registration_id=%s', registration.id)
        jwk = _find_jwk(_fetch_tool_jwks(registration.tool_jwks_url), kid)
    if jwk is None:
        raise LtiError('Unknown tool key id.')
    return jwk


def _load_tool_pem(pem: str):
    try:
        key = serialization.load_pem_public_key(pem.strip().encode('ascii'))
    except ValueError as error:
        raise LtiError('The tool public key is not a valid PEM key.') from error
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < RSA_KEY_SIZE:
        raise LtiError('The tool public key must be an RSA key of at least 2048 bits.')
    return key


def _cached_tool_jwks(url: str) -> dict:
    jwks = cache.get(_jwks_cache_key(url))
    return jwks if jwks is not None else _fetch_tool_jwks(url)


def _fetch_tool_jwks(url: str) -> dict:
    if not url.startswith(('https://', 'http://')):
        raise LtiError('The tool JWKS URL must be http(s).')
    if cache.get(_jwks_failure_cache_key(url)):
        raise LtiError('The tool key set could not be fetched.')
    request = urllib.request.Request(url, headers={'Accept': 'application/json'})  # noqa: S310 - scheme checked
    try:
        _check_public_host(url)
        with _JWKS_OPENER.open(request, timeout=settings.LTI_TOOL_JWKS_TIMEOUT_SECONDS) as response:
            body = json.loads(response.read(JWKS_MAX_BYTES + 1)[:JWKS_MAX_BYTES])
    except (OSError, ValueError) as error:
        log.warning('Tool JWKS fetch failed url=%s error=%s', url, type(error).__name__)
        _remember_fetch_failure(url)
        raise LtiError('The tool key set could not be fetched.') from error
    keys = body.get('keys') if isinstance(body, dict) else None
    jwks = {'keys': keys if isinstance(keys, list) else [], 'fetched_at': time.time()}
    cache.set(_jwks_cache_key(url), jwks, settings.LTI_TOOL_JWKS_CACHE_SECONDS)
    return jwks


def _find_jwk(jwks: dict, kid: str):
    for jwk in jwks['keys']:
        if not isinstance(jwk, dict) or jwk.get('kid') != kid or jwk.get('kty') != 'RSA':
            continue
        if jwk.get('alg', SIGNING_ALGORITHM) != SIGNING_ALGORITHM or jwk.get('use', 'sig') != 'sig':
            continue
        try:
            key = jwt.PyJWK(jwk, SIGNING_ALGORITHM).key
        except jwt.PyJWTError:
            return None
        return key if key.key_size >= RSA_KEY_SIZE else None
    return None


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """Make a redirect an HTTPError: the operator registered this URL, not the one the tool's server points to."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        """Follow nothing."""
        return None


_JWKS_OPENER = urllib.request.build_opener(_RefuseRedirects)


def _check_public_host(url: str) -> None:
    """Raise ValueError if the URL's host resolves to an address that is not public (loopback, private, ...)."""
    if settings.LTI_TOOL_JWKS_ALLOW_PRIVATE_ADDRESSES:
        return
    parts = urlsplit(url)
    if not parts.hostname:
        raise ValueError('The tool JWKS URL has no host.')
    if parts.scheme in urllib.request.getproxies() and not urllib.request.proxy_bypass(parts.hostname):
        return  # an egress proxy connects (and may be the only one able to resolve the name)
    port = parts.port or (443 if parts.scheme == 'https' else 80)
    for *_, sockaddr in socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM):
        address = ipaddress.ip_address(sockaddr[0])
        if not address.is_global:
            log.warning('Tool JWKS URL refused: not a public address url=%s address=%s', url, address)
            raise ValueError('The tool JWKS URL is not on a public address.')


def _remember_fetch_failure(url: str) -> None:
    """Do not fetch `url` again before the refetch interval has passed."""
    interval = settings.LTI_TOOL_JWKS_REFETCH_INTERVAL_SECONDS
    if interval > 0:
        cache.set(_jwks_failure_cache_key(url), True, interval)


def _jwks_cache_key(url: str) -> str:
    return 'lti:tool-jwks:' + hashlib.sha256(url.encode('utf-8')).hexdigest()


def _jwks_failure_cache_key(url: str) -> str:
    return 'lti:tool-jwks-failed:' + hashlib.sha256(url.encode('utf-8')).hexdigest()


def unverified_header(token: str) -> dict:
    """Return the JWT header of `token` without verifying it (to pick a key); raise LtiError if malformed."""
    try:
        return jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise LtiError('Malformed JWT.') from error
