"""Registering a proctoring tool, and what the tool's operator needs from us in return."""

import logging

import attrs
from django.core.exceptions import ValidationError
from django.db import transaction

from edx_exams.apps.core import api as core_api
from edx_exams.apps.lti.keys import get_public_jwks
from edx_exams.apps.lti.models import LtiToolRegistration
from edx_exams.apps.lti.platform import issuer, platform_url

log = logging.getLogger(__name__)


@attrs.frozen
class ToolRegistrationData:
    """What a tool's operator gives us out of band (LTI registration data)."""

    name: str
    verbose_name: str
    client_id: str
    deployment_id: str
    login_url: str
    launch_url: str
    jwks_url: str = ''
    public_key: str = ''
    redirect_uris: tuple[str, ...] = ()
    acs_actions: tuple[str, ...] | None = None


def register_tool(data: ToolRegistrationData) -> LtiToolRegistration:
    """
    Create or update the proctoring provider `data.name` and its LTI registration, and return the registration.

    Raises django ValidationError when the data is incomplete or inconsistent
    (for example both or neither of the JWKS URL and the public key).
    """
    with transaction.atomic():
        provider = core_api.save_proctoring_provider(data.name, verbose_name=data.verbose_name)
        registration = LtiToolRegistration.objects.filter(provider=provider).first() or LtiToolRegistration(
            provider=provider
        )
        _apply(registration, data)
        check_tool_registration(registration)
        registration.save()
        if provider.lti_configuration_id != str(registration.pk):
            core_api.save_proctoring_provider(
                data.name, verbose_name=data.verbose_name, lti_configuration_id=str(registration.pk)
            )
    log.info('LTI tool registered provider=%s registration_id=%s', provider.name, registration.pk)
    return registration


def check_tool_registration(registration: LtiToolRegistration) -> None:
    """
    Raise django ValidationError if `registration` cannot be used to launch and verify its tool.

    Checks the field formats and uniqueness of the client id, and the model's
    rules: exactly one key source (JWKS URL or PEM public key), an RSA public key
    of at least 2048 bits, an http(s) JWKS URL and known ACS actions.
    """
    registration.full_clean(validate_unique=True)


def update_tool_registration(registration: LtiToolRegistration) -> LtiToolRegistration:
    """
    Save the edited fields of an existing registration after `check_tool_registration`, and return it.

    Its provider cannot change (register another tool instead). Raises django
    ValidationError.
    """
    if registration.pk is None:
        raise ValidationError('Register a new tool with register_tool (manage.py register_lti_tool).')
    stored = LtiToolRegistration.objects.get(pk=registration.pk)
    if stored.provider_id != registration.provider_id:
        raise ValidationError({'provider': 'The provider of a registration cannot change.'})
    check_tool_registration(registration)
    registration.save()
    log.info('LTI tool registration updated provider=%s registration_id=%s', registration.provider, registration.pk)
    return registration


def get_platform_registration_data(registration: LtiToolRegistration) -> dict:
    """Return what the tool's operator must configure: issuer, client and deployment ids, our URLs."""
    get_public_jwks()  # make sure a signing key exists before anyone fetches the JWKS
    return {
        'issuer': issuer(),
        'client_id': registration.client_id,
        'deployment_id': registration.deployment_id,
        'jwks_url': platform_url('jwks'),
        'auth_url': platform_url('auth'),
        'token_url': platform_url('token'),
    }


def _apply(registration: LtiToolRegistration, data: ToolRegistrationData) -> None:
    if bool(data.jwks_url) == bool(data.public_key):
        raise ValidationError('Give either a JWKS URL or a public key file.')
    registration.client_id = data.client_id
    registration.deployment_id = data.deployment_id
    registration.login_url = data.login_url
    registration.launch_url = data.launch_url
    registration.tool_jwks_url = data.jwks_url
    registration.tool_public_key = data.public_key
    registration.redirect_uris = list(data.redirect_uris)
    if data.acs_actions is not None:
        registration.acs_actions = list(data.acs_actions)
