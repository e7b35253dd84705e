"""
OpenAPI descriptions of the LTI endpoints' bodies (used by `lti.views` in `extend_schema` only).

The LTI endpoints are called by proctoring tools (server to server or by an
auto-submitted form) and by the learner's browser, not by JWT API clients, so
their bodies are forms, JWTs, HTML and the ACS media type rather than the
REST API's JSON.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from edx_exams.apps.lti import constants as c

REDIRECT = OpenApiResponse(description='Redirect (`Location` header) to the next step of the launch.')
AUTO_SUBMIT_FORM = OpenApiResponse(
    OpenApiTypes.STR,
    description='An HTML page whose form POSTs `id_token` and `state` to the tool at once (form_post response).',
)


class OidcAuthRequestSerializer(serializers.Serializer):
    """The OIDC authentication request a tool's login step sends back to the platform (query or form)."""

    scope = serializers.CharField(help_text='`openid`.')
    response_type = serializers.CharField(help_text='`id_token`.')
    response_mode = serializers.CharField(help_text='`form_post`.')
    prompt = serializers.CharField(help_text='`none`.')
    client_id = serializers.CharField(help_text="The tool's client id.")
    redirect_uri = serializers.CharField(help_text="One of the tool's registered launch URLs.")
    login_hint = serializers.CharField(help_text="The learner's LTI subject, as the login request gave it.")
    lti_message_hint = serializers.CharField(help_text='The single-use hint of the login request.')
    state = serializers.CharField()
    nonce = serializers.CharField()


class StartAssessmentRequestSerializer(serializers.Serializer):
    """The tool's auto-submitted LtiStartAssessment form."""

    JWT = serializers.CharField(help_text='The LtiStartAssessment message, signed by the tool.')


class TokenRequestSerializer(serializers.Serializer):
    """An OAuth 2 client-credentials request with a JWT client assertion (RFC 7523)."""

    grant_type = serializers.CharField(help_text=f'`{c.CLIENT_CREDENTIALS_GRANT}`.')
    client_assertion_type = serializers.CharField(help_text=f'`{c.JWT_BEARER_ASSERTION_TYPE}`.')
    client_assertion = serializers.CharField(help_text='A JWT signed by the tool: `sub` its client id, a unique `jti`.')
    scope = serializers.CharField(help_text=f'Space-separated; `{c.ACS_SCOPE}`.')


class TokenResponseSerializer(serializers.Serializer):
    """The access token for the Assessment Control Service (RFC 6749 section 4.4.3)."""

    access_token = serializers.CharField()
    token_type = serializers.CharField()
    expires_in = serializers.IntegerField()
    scope = serializers.CharField()


class OAuthErrorSerializer(serializers.Serializer):
    """An RFC 6749 error body."""

    error = serializers.CharField(help_text='`unsupported_grant_type`, `invalid_client` or `invalid_scope`.')
    error_description = serializers.CharField()


class JwksSerializer(serializers.Serializer):
    """The platform's public keys (RFC 7517 key set)."""

    keys = serializers.ListField(child=serializers.DictField())


class AcsUserSerializer(serializers.Serializer):
    """The learner, by LTI subject."""

    sub = serializers.CharField()


class AcsResourceLinkSerializer(serializers.Serializer):
    """The exam, by resource link id."""

    id = serializers.CharField()


class AcsRequestSerializer(serializers.Serializer):
    """An Assessment Control Service request (1EdTech Proctoring Services 1.0)."""

    user = AcsUserSerializer()
    resource_link = AcsResourceLinkSerializer()
    attempt_number = serializers.IntegerField()
    action = serializers.ChoiceField(choices=c.ACS_ACTIONS)
    incident_time = serializers.DateTimeField(required=False)
    incident_severity = serializers.FloatField(required=False, min_value=0, max_value=1)
    extra_time = serializers.IntegerField(required=False, help_text='Minutes to add (action `update`).')
    reason_code = serializers.CharField(required=False)
    reason_msg = serializers.CharField(required=False)


class AcsResponseSerializer(serializers.Serializer):
    """The attempt's status after the action (and the extra time granted by `update`)."""

    status = serializers.CharField()
    extra_time = serializers.IntegerField(required=False)
