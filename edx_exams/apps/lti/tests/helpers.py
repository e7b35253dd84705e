"""Helpers of the LTI tests: registering the reference tool and walking the launch flows in-process."""

from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from django.test import Client

from edx_exams.apps.lti import api
from edx_exams.apps.lti.tests.reference_tool import parse_form, public_pem

PLATFORM_URL = 'http://exams.test'


def register_reference_tool(tool, tool_server, *, name, use_pem=False, acs_actions=None):
    """Register `tool` with the platform as its operator would (JWKS URL, or PEM)."""
    data = api.ToolRegistrationData(
        name=name,
        verbose_name=f'{name} proctoring',
        client_id=tool.client_id,
        deployment_id=tool.deployment_id,
        login_url=tool_server.login_url,
        launch_url=tool_server.launch_url,
        jwks_url='' if use_pem else tool_server.jwks_url,
        public_key=public_pem(tool.key) if use_pem else '',
        acs_actions=acs_actions,
    )
    return api.register_tool(data)


def local_path(url: str) -> str:
    """The path and query of a platform URL, for the Django test client."""
    parts = urlsplit(url)
    return f'{parts.path}?{parts.query}' if parts.query else parts.path


def query_params(url: str) -> dict:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def login_to_auth_request(lti, client, launch_path: str) -> dict:
    """GET a platform launch start, let the tool handle the login; return the auth request parameters."""
    response = client.get(launch_path)
    assert response.status_code == 302, response.content
    login = response['Location']
    assert login.startswith(lti.server.login_url)
    auth_url = lti.tool.login(query_params(login), lti.server.launch_url)
    return query_params(auth_url)


def authorize(client, params: dict, *, method='get'):
    """Send an OIDC auth request to the platform; return the response."""
    if method == 'post':
        return client.post('/lti/auth', urlencode(params), content_type='application/x-www-form-urlencoded')
    return client.get('/lti/auth', params)


def launch(lti, client, launch_path: str) -> dict:
    """Walk a whole platform-originating launch; return the claims the tool validated."""
    response = authorize(client, login_to_auth_request(lti, client, launch_path))
    assert response.status_code == 200, response.content
    action, fields = parse_form(response.content.decode())
    assert action == lti.server.launch_url
    return lti.tool.launch(fields['id_token'], fields['state'])


def start_proctoring(lti, client) -> dict:
    """Launch LtiStartProctoring for the learner's attempt; return the validated claims."""
    return launch(lti, client, f'/lti/start_proctoring/{lti.attempt.id}')


def post_start_assessment(token):
    """POST the JWT as the tool's auto-submitted form does: cross-site, so without any cookie."""
    return Client().post('/lti/start_assessment', {} if token is None else {'JWT': token})


class DjangoClientAdapter(requests.adapters.BaseAdapter):
    """A requests transport that hands requests to the Django test client (ServiceConnector in-process)."""

    def __init__(self):
        super().__init__()
        self.client = Client()

    def send(self, request, **kwargs):
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ('content-type', 'content-length')}
        response = self.client.generic(
            request.method,
            local_path(request.url),
            data=request.body or b'',
            content_type=request.headers.get('Content-Type', ''),
            headers=headers,
        )
        result = requests.Response()
        result.status_code = response.status_code
        result._content = response.content
        result.headers.update({k: v for k, v in response.items()})
        result.url = request.url
        result.request = request
        return result

    def close(self):
        pass


def in_process_session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    session.mount(PLATFORM_URL, DjangoClientAdapter())
    return session
