"""Registering tools (command and admin), pruning expired records."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from edx_exams.apps.core.models import ProctoringProvider
from edx_exams.apps.core.tests.factories import ExamAttemptFactory, ExamFactory, UserFactory
from edx_exams.apps.lti import api
from edx_exams.apps.lti.models import LtiMessageHint, LtiToolRegistration, LtiUsedNonce, ProctoringReview
from edx_exams.apps.lti.tasks import prune_expired_lti_records
from edx_exams.apps.lti.tests.reference_tool import public_pem, rsa_key

pytestmark = pytest.mark.django_db

ARGS = [
    '--name', 'proctortool',
    '--verbose-name', 'Proctor Tool',
    '--client-id', 'client-123',
    '--deployment-id', 'dep-1',
    '--login-url', 'https://tool.example/login',
    '--launch-url', 'https://tool.example/launch',
]  # fmt: skip


def _register(*extra):
    out = StringIO()
    call_command('register_lti_tool', *ARGS, *extra, stdout=out)
    return json.loads(out.getvalue())


def test_register_lti_tool_prints_what_the_tool_operator_needs(settings, platform_key):
    settings.EXAMS_BASE_URL = 'https://exams.example.com'
    printed = _register('--jwks-url', 'https://tool.example/jwks', '--redirect-uri', 'https://tool.example/launch2')
    assert printed == {
        'issuer': 'https://exams.example.com',
        'client_id': 'client-123',
        'deployment_id': 'dep-1',
        'jwks_url': 'https://exams.example.com/lti/jwks',
        'auth_url': 'https://exams.example.com/lti/auth',
        'token_url': 'https://exams.example.com/lti/token',
    }
    registration = LtiToolRegistration.objects.get()
    assert registration.provider.verbose_name == 'Proctor Tool'
    assert registration.provider.lti_configuration_id == str(registration.pk)
    assert registration.get_redirect_uris() == ['https://tool.example/launch2']
    assert registration.acs_actions == ['pause', 'resume', 'terminate', 'update', 'flag']


def test_register_lti_tool_updates_an_existing_registration(tmp_path, platform_key):
    _register('--jwks-url', 'https://tool.example/jwks')
    pem = tmp_path / 'tool.pem'
    pem.write_text(public_pem(rsa_key('tool')))
    _register('--public-key-file', str(pem), '--acs-action', 'terminate', '--acs-action', 'flag')
    registration = LtiToolRegistration.objects.get()
    assert registration.tool_jwks_url == ''
    assert 'PUBLIC KEY' in registration.tool_public_key
    assert registration.acs_actions == ['terminate', 'flag']
    assert registration.get_redirect_uris() == ['https://tool.example/launch']
    assert ProctoringProvider.objects.count() == 1


@pytest.mark.parametrize(
    'extra',
    [
        [],
        ['--jwks-url', 'not a url'],
        ['--jwks-url', 'https://tool.example/jwks', '--acs-action', 'terminateRequest'],
    ],
)
def test_register_lti_tool_refuses_bad_data(extra, platform_key):
    with pytest.raises(CommandError):
        call_command('register_lti_tool', *ARGS, *extra, stdout=StringIO())
    assert not LtiToolRegistration.objects.exists()


def test_register_lti_tool_refuses_a_bad_pem(tmp_path, platform_key):
    pem = tmp_path / 'tool.pem'
    pem.write_text('-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n')
    with pytest.raises(CommandError, match='PEM'):
        call_command('register_lti_tool', *ARGS, '--public-key-file', str(pem), stdout=StringIO())
    assert not ProctoringProvider.objects.exists()


def test_register_lti_tool_refuses_a_weak_key(tmp_path, platform_key):
    """A key every tool JWT would be refused with is refused when the operator registers it."""
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - the point of the test
    pem = tmp_path / 'tool.pem'
    pem.write_text(public_pem(weak))
    with pytest.raises(CommandError, match='2048'):
        call_command('register_lti_tool', *ARGS, '--public-key-file', str(pem), stdout=StringIO())
    assert not ProctoringProvider.objects.exists()


def test_a_registration_needs_exactly_one_key_source(platform_key):
    data = api.ToolRegistrationData(
        name='x', verbose_name='X', client_id='c', deployment_id='d',
        login_url='https://t/login', launch_url='https://t/launch',
        jwks_url='https://t/jwks', public_key=public_pem(rsa_key('tool')),
    )  # fmt: skip
    with pytest.raises(ValidationError):
        api.register_tool(data)


def test_admin_lists_the_lti_models(admin_client, platform_key):
    _register('--jwks-url', 'https://tool.example/jwks')
    attempt = ExamAttemptFactory(exam=ExamFactory(), user=UserFactory())
    ProctoringReview.objects.create(attempt=attempt, action='flag', severity=0.5)
    registration = LtiToolRegistration.objects.get()
    for path in (
        '/admin/lti/ltitoolregistration/',
        f'/admin/lti/ltitoolregistration/{registration.pk}/change/',
        '/admin/lti/ltiplatformkey/',
        '/admin/lti/ltiproctoringsession/',
        '/admin/lti/proctoringreview/',
        '/admin/lti/assessmentcontrolrecord/',
    ):
        assert admin_client.get(path).status_code == 200, path
    assert admin_client.get('/admin/lti/ltiplatformkey/add/').status_code == 403


def test_expired_hints_and_nonces_are_pruned(lti):
    now = timezone.now()
    LtiMessageHint.objects.create(
        hint_hash='a' * 64, registration=lti.registration, user=lti.learner, message_type='LtiStartProctoring',
        exam=lti.exam, attempt=lti.attempt, target_link_uri='https://t/launch', expires_at=now - timedelta(seconds=1),
    )  # fmt: skip
    LtiMessageHint.objects.create(
        hint_hash='b' * 64, registration=lti.registration, user=lti.learner, message_type='LtiStartProctoring',
        exam=lti.exam, attempt=lti.attempt, target_link_uri='https://t/launch', expires_at=now + timedelta(minutes=5),
    )  # fmt: skip
    LtiUsedNonce.objects.create(registration=lti.registration, kind='k', value_hash='c', expires_at=now - timedelta(1))
    assert prune_expired_lti_records() == 2
    assert list(LtiMessageHint.objects.values_list('hint_hash', flat=True)) == ['b' * 64]
    assert not LtiUsedNonce.objects.exists()


def test_retiring_a_user_clears_the_identity_claims_and_unlinks_the_sub(lti, jwt_client):
    from edx_exams.apps.core import api as core_api
    from edx_exams.apps.lti.models import LtiProctoringSession, LtiSubject
    from edx_exams.apps.lti.tests.helpers import post_start_assessment, start_proctoring

    claims = start_proctoring(lti, jwt_client.as_user(lti.learner))
    assert post_start_assessment(lti.tool.start_assessment_jwt(claims)).status_code == 302
    assert LtiProctoringSession.objects.get().verified_user

    core_api.retire_user(lms_user_id=lti.learner.lms_user_id)

    assert LtiProctoringSession.objects.get().verified_user is None
    assert LtiSubject.objects.get(user=lti.learner).sub != claims['sub']
