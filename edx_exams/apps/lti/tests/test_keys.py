"""Platform keys (JWKS, rotation, encryption at rest) and tool keys (JWKS cache, refetch, PEM)."""

import time
from datetime import timedelta
from io import StringIO

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.lti import api
from edx_exams.apps.lti.exceptions import LtiError
from edx_exams.apps.lti.keys import _jwks_cache_key, decode_platform_jwt, sign_platform_jwt
from edx_exams.apps.lti.models import LtiPlatformKey
from edx_exams.apps.lti.tests.helpers import post_start_assessment, register_reference_tool, start_proctoring
from edx_exams.apps.lti.tests.reference_tool import public_jwk

pytestmark = pytest.mark.django_db

ISSUER = 'http://exams.test'


def _claims(**extra):
    now = int(timezone.now().timestamp())
    return {'iss': ISSUER, 'aud': ISSUER, 'sub': 'x', 'iat': now, 'exp': now + 60, **extra}


@pytest.mark.parametrize('path', ['/lti/jwks', '/lti/jwks/'])
def test_jwks_endpoint_publishes_public_keys_only(platform_key, path):
    response = Client().get(path)
    assert response.status_code == 200
    keys = response.json()['keys']
    assert [key['kid'] for key in keys] == [platform_key.kid]
    assert keys[0]['kty'] == 'RSA'
    assert keys[0]['alg'] == 'RS256'
    assert keys[0]['use'] == 'sig'
    assert not {'d', 'p', 'q', 'dp', 'dq', 'qi'} & set(keys[0])


def test_a_key_is_created_on_first_use(db):
    assert not LtiPlatformKey.objects.exists()
    assert len(api.get_public_jwks()['keys']) == 1
    assert LtiPlatformKey.objects.count() == 1


def test_private_keys_are_encrypted_at_rest(platform_key):
    assert 'PRIVATE KEY' not in platform_key.private_key_encrypted
    token = sign_platform_jwt(_claims())
    assert jwt.get_unverified_header(token)['kid'] == platform_key.kid
    assert decode_platform_jwt(token, audience=ISSUER, issuer=ISSUER)['sub'] == 'x'


def test_a_key_encrypted_with_another_secret_is_refused(platform_key, settings):
    from edx_exams.apps.lti import keys

    keys._private_key.cache_clear()
    settings.LTI_KEY_ENCRYPTION_SECRET = 'another-secret'
    with pytest.raises(LtiError, match='rotate'):
        sign_platform_jwt(_claims())
    keys._private_key.cache_clear()


def test_rotation_keeps_old_keys_published_until_their_tokens_expired(platform_key):
    old_token = sign_platform_jwt(_claims())
    out = StringIO()
    call_command('rotate_lti_keys', stdout=out)
    new_key = LtiPlatformKey.objects.get(retired_at__isnull=True)
    assert new_key.kid in out.getvalue()

    assert {key['kid'] for key in api.get_public_jwks()['keys']} == {platform_key.kid, new_key.kid}
    assert jwt.get_unverified_header(sign_platform_jwt(_claims()))['kid'] == new_key.kid
    assert decode_platform_jwt(old_token, audience=ISSUER, issuer=ISSUER)  # still verifiable

    later = timezone.now() + timedelta(seconds=3600 + 31)
    assert {key['kid'] for key in api.get_public_jwks(now=later)['keys']} == {new_key.kid}
    api.rotate_platform_keys(now=later)
    assert not LtiPlatformKey.objects.filter(kid=platform_key.kid).exists()
    with pytest.raises(LtiError):
        decode_platform_jwt(old_token, audience=ISSUER, issuer=ISSUER)


def test_acs_token_issued_before_a_rotation_still_works(lti, jwt_client):
    from edx_exams.apps.lti.tests.test_acs import _post_acs, _token

    claims = start_proctoring(lti, jwt_client.as_user(lti.learner))
    lti.claims = claims
    token = _token(lti)
    api.rotate_platform_keys()
    lti.attempt.status = S.STARTED
    lti.attempt.save()
    assert _post_acs(lti, token=token).status_code == 200


def test_an_id_token_verifies_against_the_published_jwks(lti, jwt_client):
    lti.tool.platform_key_set = Client().get('/lti/jwks').json()  # what a tool fetches
    assert start_proctoring(lti, jwt_client.as_user(lti.learner))['sub']


# ---------------------------------------------------------------------------
# Tool keys
# ---------------------------------------------------------------------------
def _launch(lti, jwt_client):
    return start_proctoring(lti, jwt_client.as_user(lti.learner))


def test_tool_jwks_is_fetched_once_and_cached(lti, jwt_client):
    claims = _launch(lti, jwt_client)
    assert post_start_assessment(lti.tool.start_assessment_jwt(claims, iss='unknown')).status_code == 400
    assert post_start_assessment(lti.tool.start_assessment_jwt(claims, aud='wrong')).status_code == 400
    assert post_start_assessment(lti.tool.start_assessment_jwt(claims)).status_code == 302
    assert lti.server.jwks_hits == 1


def test_a_rotated_tool_key_is_found_by_refetching_the_jwks(lti, jwt_client, settings):
    settings.LTI_TOOL_JWKS_REFETCH_INTERVAL_SECONDS = 0
    claims = _launch(lti, jwt_client)
    assert post_start_assessment(lti.tool.start_assessment_jwt(claims, iss='unknown-client')).status_code == 400
    assert post_start_assessment(lti.tool.start_assessment_jwt(claims, aud='wrong')).status_code == 400
    assert lti.server.jwks_hits == 1
    lti.tool.rotate_key('tool-rotated')
    assert post_start_assessment(lti.tool.start_assessment_jwt(claims)).status_code == 302
    assert lti.server.jwks_hits == 2
    lti.attempt.refresh_from_db()
    assert lti.attempt.status == S.READY_TO_START


def test_unknown_kids_refetch_at_most_once_per_interval(lti, jwt_client):
    claims = _launch(lti, jwt_client)
    assert post_start_assessment(lti.tool.start_assessment_jwt(claims, aud='wrong')).status_code == 400
    for _ in range(3):
        token = lti.tool.start_assessment_jwt(claims, header={'kid': 'bogus'})
        assert post_start_assessment(token).status_code == 400
    assert lti.server.jwks_hits == 1
    lti.attempt.refresh_from_db()
    assert lti.attempt.status == S.DOWNLOAD_SOFTWARE_CLICKED


def test_a_failing_tool_jwks_is_not_fetched_again_on_every_request(lti, jwt_client):
    """A JWKS that is down is asked again only after the refetch interval, not once per (forged) request."""
    claims = _launch(lti, jwt_client)
    lti.server.jwks_status = 503
    for _ in range(3):
        assert post_start_assessment(lti.tool.start_assessment_jwt(claims)).status_code == 400
    assert lti.server.jwks_hits == 1
    lti.server.jwks_status = 200
    cache.clear()  # the refetch interval has passed
    assert post_start_assessment(lti.tool.start_assessment_jwt(claims)).status_code == 302
    assert lti.server.jwks_hits == 2


def test_a_failing_refetch_is_not_repeated_for_every_unknown_kid(lti, jwt_client):
    claims = _launch(lti, jwt_client)
    assert post_start_assessment(lti.tool.start_assessment_jwt(claims, aud='wrong')).status_code == 400
    assert lti.server.jwks_hits == 1
    cache_key = _jwks_cache_key(lti.registration.tool_jwks_url)
    cache.set(cache_key, dict(cache.get(cache_key), fetched_at=time.time() - 3600))  # the interval has passed
    lti.server.jwks_status = 503
    for _ in range(3):
        token = lti.tool.start_assessment_jwt(claims, header={'kid': 'bogus'})
        assert post_start_assessment(token).status_code == 400
    assert lti.server.jwks_hits == 2
    assert post_start_assessment(lti.tool.start_assessment_jwt(claims)).status_code == 302  # cached keys still work


def test_a_weak_tool_key_is_refused(lti, jwt_client, settings):
    settings.LTI_TOOL_JWKS_REFETCH_INTERVAL_SECONDS = 0
    claims = _launch(lti, jwt_client)
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - the point of the test
    lti.tool.key, lti.tool.kid = weak, public_jwk(weak)['kid']
    lti.tool.published_keys.append(public_jwk(weak))
    assert post_start_assessment(lti.tool.start_assessment_jwt(claims)).status_code == 400
    lti.attempt.refresh_from_db()
    assert lti.attempt.status == S.DOWNLOAD_SOFTWARE_CLICKED


def test_unreachable_tool_jwks_is_a_refusal_not_an_error(lti, jwt_client):
    claims = _launch(lti, jwt_client)
    lti.registration.tool_jwks_url = 'http://127.0.0.1:9/jwks'
    lti.registration.save()
    assert post_start_assessment(lti.tool.start_assessment_jwt(claims)).status_code == 400
    lti.attempt.refresh_from_db()
    assert lti.attempt.status == S.DOWNLOAD_SOFTWARE_CLICKED


def test_a_redirect_of_the_tool_jwks_is_not_followed(lti, jwt_client):
    """The platform fetches the JWKS URL the operator registered, never where the tool's server points it."""
    claims = _launch(lti, jwt_client)
    lti.registration.tool_jwks_url = f'{lti.server.url}/jwks-moved'
    lti.registration.save()
    assert post_start_assessment(lti.tool.start_assessment_jwt(claims)).status_code == 400
    assert lti.server.jwks_hits == 0
    lti.attempt.refresh_from_db()
    assert lti.attempt.status == S.DOWNLOAD_SOFTWARE_CLICKED


@pytest.mark.parametrize('host', ['127.0.0.1', 'localhost', '[::1]', '169.254.169.254', '10.1.2.3'])
def test_a_tool_jwks_on_a_private_address_is_not_fetched(lti, jwt_client, settings, host):
    """No request from the platform to its own network (SSRF), unless the operator allows private addresses."""
    settings.LTI_TOOL_JWKS_ALLOW_PRIVATE_ADDRESSES = False
    claims = _launch(lti, jwt_client)
    port = lti.server.httpd.server_port
    lti.registration.tool_jwks_url = f'http://{host}:{port}/jwks'
    lti.registration.save()
    assert post_start_assessment(lti.tool.start_assessment_jwt(claims)).status_code == 400
    assert lti.server.jwks_hits == 0
    lti.attempt.refresh_from_db()
    assert lti.attempt.status == S.DOWNLOAD_SOFTWARE_CLICKED


def test_behind_an_egress_proxy_the_proxy_resolves_the_tool_host(settings, monkeypatch):
    """Where the service reaches the internet only through a proxy, it may not resolve the tool's host itself."""
    from edx_exams.apps.lti import keys

    settings.LTI_TOOL_JWKS_ALLOW_PRIVATE_ADDRESSES = False
    for name in ('http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'no_proxy', 'NO_PROXY'):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv('https_proxy', 'http://proxy.internal:3128')
    monkeypatch.setattr(keys.socket, 'getaddrinfo', _no_dns)
    keys._check_public_host('https://tool.example/jwks')  # no local DNS lookup, no refusal
    with pytest.raises(ValueError):
        keys._check_public_host('http://127.0.0.1:9/jwks')  # no proxy for http here: checked


def _no_dns(host, *args, **kwargs):
    if host == '127.0.0.1':
        return [(None, None, None, '', ('127.0.0.1', 9))]
    raise OSError('this host resolves no external name')


def test_a_tool_registered_with_a_pem_key(lti, jwt_client, tool_server):
    register_reference_tool(lti.tool, tool_server, name=lti.registration.provider.name, use_pem=True)
    claims = _launch(lti, jwt_client)
    assert post_start_assessment(lti.tool.start_assessment_jwt(claims)).status_code == 302
    assert lti.server.jwks_hits == 0
