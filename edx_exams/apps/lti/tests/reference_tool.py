"""
A real third-party LTI 1.3 proctoring tool for the tests, built on PyLTI1p3.

PyLTI1p3 is tool-side only and knows no proctoring message, so the tool
(a) accepts LtiStartProctoring and LtiEndAssessment with its own message
validator, and (b) signs LtiStartAssessment itself with its registration's
private key and kid. Everything else is PyLTI1p3 as a vendor would use it:
OIDC login, launch validation (state, nonce, registration, signature through the
platform JWKS, deployment) and the ACS token flow of ServiceConnector.

`ToolServer` serves the tool over real HTTP on 127.0.0.1: its JWKS, its login
initiation URL and its launch URL (which answers an auto-submitted form, like a
vendor's set-up page, POSTing the signed LtiStartAssessment).
"""

import html
import json
import threading
import time
import uuid
from functools import cache
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pylti1p3.cookie import CookieService
from pylti1p3.message_launch import MessageLaunch
from pylti1p3.message_validators import get_validators
from pylti1p3.message_validators.abstract import MessageValidatorAbstract
from pylti1p3.oidc_login import OIDCLogin
from pylti1p3.redirect import Redirect
from pylti1p3.registration import Registration
from pylti1p3.request import Request
from pylti1p3.service_connector import ServiceConnector
from pylti1p3.session import SessionService
from pylti1p3.tool_config import ToolConfDict

from edx_exams.apps.lti import constants as c


@cache
def rsa_key(name: str) -> rsa.RSAPrivateKey:
    """Return a 2048-bit RSA key, made once per test session for each name."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def public_jwk(key: rsa.RSAPrivateKey) -> dict:
    """The key's JWK as PyLTI1p3 publishes it (kid = RFC 7638 thumbprint, which ServiceConnector sends)."""
    return dict(Registration.get_jwk(public_pem(key)))


# ---------------------------------------------------------------------------
# PyLTI1p3 adapters: a dict-backed request, cookies and session (one browser).
# ---------------------------------------------------------------------------
class ToolRequest(Request):
    def __init__(self, params: dict, session: dict):
        self._params = params
        self._session = session

    @property
    def session(self):
        return self._session

    def is_secure(self) -> bool:
        return False

    def get_param(self, key: str) -> str:
        return self._params.get(key)  # type: ignore[return-value]  # PyLTI1p3 reads a missing parameter as None


class ToolCookies(CookieService):
    def __init__(self, jar: dict):
        self._jar = jar

    def get_cookie(self, name):
        return self._jar.get(f'{self._cookie_prefix}-{name}')

    def set_cookie(self, name, value, exp=3600):
        self._jar[f'{self._cookie_prefix}-{name}'] = value


class ToolRedirect(Redirect):
    def __init__(self, location: str):
        self._location = location

    def do_redirect(self):
        return self._location

    def do_js_redirect(self):
        return self._location

    def set_redirect_url(self, location):
        self._location = location

    def get_redirect_url(self):
        return self._location


class ToolOIDCLogin(OIDCLogin):
    def get_redirect(self, url):
        return ToolRedirect(url)


class ProctoringMessageValidator(MessageValidatorAbstract):
    """Accept the proctoring messages a platform sends (PyLTI1p3 knows none of them)."""

    def can_validate(self, jwt_body) -> bool:
        return jwt_body.get(c.CLAIM_MESSAGE_TYPE) in (c.START_PROCTORING, c.END_ASSESSMENT)

    def validate(self, jwt_body) -> bool:
        self.run_common_validators(jwt_body)
        if not jwt_body.get(c.CLAIM_RESOURCE_LINK, {}).get('id'):
            raise ValueError('Missing resource_link.id')
        if type(jwt_body.get(c.CLAIM_ATTEMPT_NUMBER)) is not int:
            raise ValueError('attempt_number must be an integer')
        if jwt_body[c.CLAIM_MESSAGE_TYPE] == c.START_PROCTORING:
            if not jwt_body.get(c.CLAIM_SESSION_DATA) or not jwt_body.get(c.CLAIM_START_ASSESSMENT_URL):
                raise ValueError('Missing session_data or start_assessment_url')
        return True


class ProctoringMessageLaunch(MessageLaunch):
    """PyLTI1p3's launch validation, with the proctoring message types accepted."""

    def _get_request_param(self, key):
        return self._request.get_param(key)

    def validate_message(self):
        body = self._get_jwt_body()
        validators = [ProctoringMessageValidator(), *get_validators()]
        matching = [v for v in validators if v.can_validate(body)]
        if len(matching) != 1 or not matching[0].validate(body):
            raise ValueError('Unrecognized or invalid message type')
        return self


# ---------------------------------------------------------------------------
# The tool
# ---------------------------------------------------------------------------
class ReferenceTool:
    """One registered proctoring tool: its keys, its PyLTI1p3 configuration and one learner's browser state."""

    def __init__(self, *, platform_base_url: str, issuer: str, client_id: str, deployment_id: str, key_name='tool'):
        self.platform_base_url = platform_base_url.rstrip('/')
        self.issuer = issuer
        self.client_id = client_id
        self.deployment_id = deployment_id
        self.key = rsa_key(key_name)
        self.kid = public_jwk(self.key)['kid']
        self.published_keys = [public_jwk(self.key)]
        self.platform_key_set = None  # None: fetch the platform JWKS over HTTP
        self.session: dict[str, Any] = {}
        self.cookies: dict[str, Any] = {}
        self.launches: list[dict[str, Any]] = []
        self.http = requests_session()

    # Registration as PyLTI1p3 sees it.
    def tool_conf(self) -> ToolConfDict:
        conf: Any = {  # PyLTI1p3's TIssConf
            'client_id': self.client_id,
            'auth_login_url': f'{self.platform_base_url}/lti/auth',
            'auth_token_url': f'{self.platform_base_url}/lti/token',
            'key_set_url': f'{self.platform_base_url}/lti/jwks',
            'key_set': self.platform_key_set,
            'deployment_ids': [self.deployment_id],
        }
        tool_conf = ToolConfDict({self.issuer: [conf]})
        tool_conf.set_private_key(self.issuer, private_pem(self.key), client_id=self.client_id)
        tool_conf.set_public_key(self.issuer, public_pem(self.key), client_id=self.client_id)
        return tool_conf

    def rotate_key(self, key_name: str) -> None:
        """Sign with a new key from now on and publish it (the old one stays published)."""
        self.key = rsa_key(key_name)
        self.kid = public_jwk(self.key)['kid']
        self.published_keys.append(public_jwk(self.key))

    # Browser-facing steps.
    def login(self, params: dict, launch_url: str) -> str:
        """Handle the OIDC login initiation; return the platform auth URL the browser goes to."""
        request = ToolRequest(params, self.session)
        login = ToolOIDCLogin(request, self.tool_conf(), SessionService(request), ToolCookies(self.cookies))
        return login.disable_check_cookies().redirect(launch_url)

    def launch(self, id_token: str, state: str) -> dict:
        """Validate the platform's id_token as PyLTI1p3 does; return the launch claims."""
        request = ToolRequest({'id_token': id_token, 'state': state}, self.session)
        launch = ProctoringMessageLaunch(
            request,
            self.tool_conf(),
            session_service=SessionService(request),
            cookie_service=ToolCookies(self.cookies),
            requests_session=self.http,
        )
        data = cast(dict[str, Any], launch.validate().get_launch_data())
        self.launches.append(data)
        return data

    def start_assessment_jwt(self, launch: dict, *, header=None, key=None, algorithm='RS256', drop=(), **claims):
        """Sign an LtiStartAssessment answering `launch`; keyword arguments replace or add claims."""
        now = int(time.time())
        payload = {
            'iss': self.client_id,
            'aud': self.issuer,
            'iat': now,
            'exp': now + 300,
            'nonce': uuid.uuid4().hex,
            c.CLAIM_MESSAGE_TYPE: c.START_ASSESSMENT,
            c.CLAIM_VERSION: c.LTI_VERSION,
            c.CLAIM_DEPLOYMENT_ID: self.deployment_id,
            c.CLAIM_RESOURCE_LINK: launch[c.CLAIM_RESOURCE_LINK],
            c.CLAIM_SESSION_DATA: launch[c.CLAIM_SESSION_DATA],
            c.CLAIM_ATTEMPT_NUMBER: launch[c.CLAIM_ATTEMPT_NUMBER],
            c.CLAIM_END_ASSESSMENT_RETURN: True,
            c.CLAIM_VERIFIED_USER: {'given_name': 'Ada', 'family_name': 'Lovelace'},
        }
        payload.update({_claim(name): value for name, value in claims.items()})
        for name in drop:
            payload.pop(_claim(name), None)
        headers = {'kid': self.kid} if header is None else header
        return jwt.encode(payload, self.key if key is None else key, algorithm=algorithm, headers=headers)

    def service_connector(self, requests_session=None) -> ServiceConnector:
        """PyLTI1p3's client for platform services (token endpoint, then Bearer calls)."""
        registration = self.tool_conf().find_registration_by_params(self.issuer, self.client_id)
        return ServiceConnector(registration, requests_session or self.http)

    def acs(self, connector: ServiceConnector, launch: dict, action: str, **fields) -> dict:
        """Send one ACS request for the learner of `launch`; return the reply body."""
        body = {
            'user': {'sub': launch['sub'], 'iss': self.issuer},
            'resource_link': {'id': launch[c.CLAIM_RESOURCE_LINK]['id']},
            'attempt_number': launch[c.CLAIM_ATTEMPT_NUMBER],
            'action': action,
            'incident_time': '2026-11-25T10:00:00Z',
            'incident_severity': 0.1,
            **fields,
        }
        response = connector.make_service_request(
            [c.ACS_SCOPE],
            launch[c.CLAIM_ACS]['assessment_control_url'],
            is_post=True,
            data=json.dumps(body),
            content_type=c.ACS_MEDIA_TYPE,
            accept=c.ACS_MEDIA_TYPE,
        )
        return cast(dict[str, Any], response['body'])


def _claim(name: str) -> str:
    """Short names for the tests: `session_data` -> the full proctoring claim name."""
    constant = f'CLAIM_{name.upper()}'
    return getattr(c, constant) if hasattr(c, constant) else name


# ---------------------------------------------------------------------------
# Real HTTP: the tool's JWKS, login and launch URLs on 127.0.0.1
# ---------------------------------------------------------------------------
class ToolServer:
    """A threaded HTTP server for one ReferenceTool at a free port on 127.0.0.1."""

    def __init__(self):
        self.tool = None
        self.jwks_hits = 0
        self.jwks_status = 200  # another status: the JWKS is down
        self.last_launch_error = None
        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), self._handler_class())
        self.url = f'http://127.0.0.1:{self.httpd.server_port}'
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def jwks_url(self):
        return f'{self.url}/jwks'

    @property
    def login_url(self):
        return f'{self.url}/login'

    @property
    def launch_url(self):
        return f'{self.url}/launch'

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def get_response(self, path: str, query: str) -> tuple:
        """The status, body, content type and location the tool answers to a GET (JWKS hits are counted)."""
        if path == '/jwks':
            self.jwks_hits += 1
            if self.jwks_status != 200:
                return self.jwks_status, 'unavailable', 'text/plain', None
            return 200, json.dumps({'keys': self.tool.published_keys}), 'application/json', None
        if path == '/jwks-moved':
            return 302, '', 'text/plain', self.jwks_url
        if path == '/login':
            params = {k: v[0] for k, v in parse_qs(query).items()}
            return 302, '', 'text/plain', self.tool.login(params, self.launch_url)
        return 404, 'not found', 'text/plain', None

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                parts = urlsplit(self.path)
                return self._send(*server.get_response(parts.path, parts.query))

            def do_POST(self):
                length = int(self.headers.get('Content-Length', 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                try:
                    launch = server.tool.launch(form['id_token'], form['state'])
                except Exception as error:  # noqa: BLE001 - reported to the test
                    server.last_launch_error = error
                    return self._send(400, f'launch refused: {error}', 'text/plain')
                if launch[c.CLAIM_MESSAGE_TYPE] != c.START_PROCTORING:
                    return self._send(200, f'{launch[c.CLAIM_MESSAGE_TYPE]} received', 'text/plain')
                token = server.tool.start_assessment_jwt(launch)
                page = (
                    f'<form method="post" action="{html.escape(launch[c.CLAIM_START_ASSESSMENT_URL])}">'
                    f'<input type="hidden" name="JWT" value="{html.escape(token)}"></form>'
                )
                return self._send(200, page, 'text/html')

            def _send(self, status, body, content_type, location=None):
                payload = body.encode()
                self.send_response(status)
                self.send_header('Content-Type', content_type)
                self.send_header('Content-Length', str(len(payload)))
                if location:
                    self.send_header('Location', location)
                self.end_headers()
                self.wfile.write(payload)

        return Handler


# ---------------------------------------------------------------------------
# Reading auto-submitted forms (what a browser would POST)
# ---------------------------------------------------------------------------
class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.action, self.fields = None, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == 'form':
            self.action = attrs.get('action')
        elif tag == 'input' and attrs.get('name'):
            self.fields[attrs['name']] = attrs.get('value', '')


def parse_form(page: str) -> tuple[str, dict]:
    """Return the action and fields of the first form in an HTML page."""
    parser = _FormParser()
    parser.feed(page)
    return parser.action, parser.fields


def requests_session() -> requests.Session:
    """A requests session that never uses proxies (only 127.0.0.1 / localhost traffic)."""
    session = requests.Session()
    session.trust_env = False
    return session
