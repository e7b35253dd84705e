"""The LTI tool registration admin page: edits go through the LTI api, which checks the registration rules."""

import json

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ValidationError
from django.urls import reverse

from edx_exams.apps.core.tests.factories import ProviderFactory
from edx_exams.apps.lti import api
from edx_exams.apps.lti.models import LtiToolRegistration
from edx_exams.apps.lti.tests.reference_tool import public_pem, rsa_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def registration():
    """A tool registered with a JWKS URL, as `manage.py register_lti_tool` leaves it."""
    return api.register_tool(
        api.ToolRegistrationData(
            name='tool',
            verbose_name='Tool',
            client_id='client-1',
            deployment_id='1',
            login_url='https://tool.example.com/login',
            launch_url='https://tool.example.com/launch',
            jwks_url='https://tool.example.com/jwks',
        )
    )


def change_url(registration):
    return reverse('admin:lti_ltitoolregistration_change', args=[registration.pk])


def registration_form(registration, **changes):
    """The fields of the change form as the page sends them, with `changes`."""
    fields = {
        'client_id': registration.client_id,
        'deployment_id': registration.deployment_id,
        'login_url': registration.login_url,
        'launch_url': registration.launch_url,
        'end_assessment_url': registration.end_assessment_url,
        'redirect_uris': json.dumps(registration.redirect_uris),
        'tool_jwks_url': registration.tool_jwks_url,
        'tool_public_key': registration.tool_public_key,
        'acs_actions': json.dumps(registration.acs_actions),
        'proctoring_settings': registration.proctoring_settings,
        'send_name': 'on',
    }
    return {**fields, **changes}


def form_errors(response) -> list[str]:
    form = response.context['adminform'].form
    return [str(message) for messages in form.errors.values() for message in messages]


def test_an_edit_is_saved_and_the_provider_stays(admin_client, registration):
    other = ProviderFactory()
    response = admin_client.post(
        change_url(registration),
        registration_form(registration, launch_url='https://tool.example.com/v2/launch', provider=other.pk),
        follow=True,
    )
    assert len(list(response.context['messages'])) == 1
    registration.refresh_from_db()
    assert registration.launch_url == 'https://tool.example.com/v2/launch'
    assert registration.provider.name == 'tool'


WEAK_KEY = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - the point of the test


@pytest.mark.parametrize(
    ('changes', 'error'),
    [
        ({'tool_jwks_url': 'ftp://tool.example.com/jwks'}, 'The tool JWKS URL must be an https:// (or http://) URL.'),
        (
            {'tool_jwks_url': '', 'tool_public_key': public_pem(WEAK_KEY)},
            'The tool public key must be an RSA key of at least 2048 bits.',
        ),
        (
            {'tool_public_key': public_pem(rsa_key('tool'))},
            'Give either the tool JWKS URL or its public key, not both.',
        ),
        ({'acs_actions': '["pause", "explode"]'}, "Unknown ACS actions: ['explode']"),
    ],
    ids=['ftp-jwks-url', 'weak-key', 'two-key-sources', 'unknown-acs-action'],
)
def test_a_refused_edit_comes_back_with_what_was_typed(admin_client, registration, changes, error):
    typed_launch = 'https://tool.example.com/typed'
    response = admin_client.post(
        change_url(registration), registration_form(registration, launch_url=typed_launch, **changes), follow=True
    )
    assert response.redirect_chain == []
    assert list(response.context['messages']) == []
    assert form_errors(response) == [error]
    assert response.context['adminform'].form['launch_url'].value() == typed_launch
    registration.refresh_from_db()
    assert registration.launch_url == 'https://tool.example.com/launch'
    assert registration.tool_jwks_url == 'https://tool.example.com/jwks'


def test_register_tool_refuses_a_jwks_url_that_is_not_http():
    data = api.ToolRegistrationData(
        name='ftp-tool',
        verbose_name='FTP tool',
        client_id='client-ftp',
        deployment_id='1',
        login_url='https://tool.example.com/login',
        launch_url='https://tool.example.com/launch',
        jwks_url='ftp://tool.example.com/jwks',
    )
    with pytest.raises(ValidationError, match='JWKS URL'):
        api.register_tool(data)
    assert not LtiToolRegistration.objects.filter(client_id='client-ftp').exists()
