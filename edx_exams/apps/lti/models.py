"""
Models of the LTI app: tool registrations, platform keys, launch state, replay store and reviews.

Secrets that the service hands out (message hints, session data) are stored only
as SHA-256 digests; the platform's private keys are encrypted at rest.
"""

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from edx_exams.apps.core.api import TimeStampedModel
from edx_exams.apps.lti.constants import ACS_ACTIONS, PLATFORM_MESSAGE_TYPES, RSA_KEY_SIZE


def default_acs_actions() -> list[str]:
    """Every ACS action: what a new registration advertises unless narrowed."""
    return list(ACS_ACTIONS)


class LtiToolRegistration(TimeStampedModel):
    """
    A proctoring tool registered with this platform: the data exchanged out of band.

    .. no_pii:
    """

    provider = models.OneToOneField(
        'core.ProctoringProvider', on_delete=models.CASCADE, related_name='lti_registration'
    )
    client_id = models.CharField(max_length=255, unique=True)
    deployment_id = models.CharField(max_length=255)
    login_url = models.URLField(max_length=1024, help_text='The tool’s OIDC login initiation URL.')
    launch_url = models.URLField(max_length=1024, help_text='The tool’s launch URL (target_link_uri).')
    end_assessment_url = models.URLField(max_length=1024, blank=True, help_text='Defaults to the launch URL.')
    redirect_uris = models.JSONField(default=list, blank=True, help_text='Empty: the launch and end URLs.')
    tool_jwks_url = models.URLField(max_length=1024, blank=True)
    tool_public_key = models.TextField(blank=True, help_text='PEM, when the tool publishes no JWKS.')
    acs_actions = models.JSONField(default=default_acs_actions, blank=True)
    # Opaque `ap/proctoring_settings.data` sent with every start (for example "video=on").
    proctoring_settings = models.CharField(max_length=1024, blank=True)
    send_name = models.BooleanField(default=True, help_text='Send the learner’s full name for the ID check.')
    send_email = models.BooleanField(default=False)

    def __str__(self):
        return f'{self.provider.name} ({self.client_id})'

    def clean(self):
        """Require exactly one tool key source (an http(s) JWKS URL or a large enough RSA key) and known ACS actions."""
        if bool(self.tool_jwks_url) == bool(self.tool_public_key.strip()):
            raise ValidationError('Give either the tool JWKS URL or its public key, not both.')
        if self.tool_jwks_url and not self.tool_jwks_url.startswith(('https://', 'http://')):
            raise ValidationError({'tool_jwks_url': 'The tool JWKS URL must be an https:// (or http://) URL.'})
        unknown = set(self.acs_actions or []) - set(ACS_ACTIONS)
        if unknown:
            raise ValidationError(f'Unknown ACS actions: {sorted(unknown)}')
        if self.tool_public_key.strip():
            try:
                key = serialization.load_pem_public_key(self.tool_public_key.strip().encode('ascii'))
            except (ValueError, UnicodeEncodeError) as error:
                raise ValidationError('The tool public key is not a PEM public key.') from error
            if not isinstance(key, rsa.RSAPublicKey) or key.key_size < RSA_KEY_SIZE:
                raise ValidationError(f'The tool public key must be an RSA key of at least {RSA_KEY_SIZE} bits.')

    def get_redirect_uris(self) -> list[str]:
        """Return the registered redirect URIs (by default the launch and end-assessment URLs)."""
        return list(self.redirect_uris) or [uri for uri in (self.launch_url, self.end_assessment_url) if uri]


class LtiPlatformKey(models.Model):
    """
    An RSA key of the platform; the newest unretired key signs, retired keys stay published for a while.

    .. no_pii:
    """

    kid = models.CharField(max_length=64, unique=True)
    public_jwk = models.JSONField()
    # Fernet token of the PEM private key (see lti.keys).
    private_key_encrypted = models.TextField()
    created = models.DateTimeField(auto_now_add=True)
    # When a newer key took over signing; published until every token it signed has expired.
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ['-created', '-id']

    def __str__(self):
        return self.kid


class LtiSubject(models.Model):
    """
    The stable opaque LTI `sub` of a user, sent to every tool as `login_hint` and `sub`.

    .. no_pii:
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name='lti_subject')
    sub = models.CharField(max_length=128, unique=True)

    def __str__(self):
        return self.sub


class LtiMessageHint(models.Model):
    """
    A short-lived, single-use launch record that `lti_message_hint` points to.

    .. no_pii:
    """

    hint_hash = models.CharField(max_length=64, unique=True)
    registration = models.ForeignKey(LtiToolRegistration, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    message_type = models.CharField(max_length=64, choices=[(t, t) for t in PLATFORM_MESSAGE_TYPES])
    exam = models.ForeignKey('core.Exam', on_delete=models.CASCADE)
    attempt = models.ForeignKey('core.ExamAttempt', null=True, blank=True, on_delete=models.CASCADE)
    target_link_uri = models.URLField(max_length=1024)
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f'{self.message_type} hint for user {self.user_id} (exam {self.exam_id})'


class LtiProctoringSession(TimeStampedModel):
    """
    The proctoring session of one attempt: the `session_data` the tool must echo, and what it told us.

    `session_data` is `<public_id>.<secret>`; only the secret's digest is kept.

    .. pii: verified_user holds the identity claims the tool checked (names, its own photo URL).
    .. pii_types: name, image
    .. pii_retirement: local_api
    """

    attempt = models.OneToOneField('core.ExamAttempt', on_delete=models.CASCADE, related_name='lti_session')
    registration = models.ForeignKey(LtiToolRegistration, on_delete=models.CASCADE)
    public_id = models.CharField(max_length=64, unique=True)
    secret_hash = models.CharField(max_length=64)
    issued_at = models.DateTimeField()
    consumed_at = models.DateTimeField(null=True, blank=True)
    end_assessment_return = models.BooleanField(default=False)
    verified_user = models.JSONField(null=True, blank=True)

    def __str__(self):
        return f'LTI session of attempt {self.attempt_id}'


class LtiUsedNonce(models.Model):
    """
    A nonce or `jti` already accepted from a tool, kept until the token carrying it has expired.

    .. no_pii:
    """

    registration = models.ForeignKey(LtiToolRegistration, on_delete=models.CASCADE)
    kind = models.CharField(max_length=32)
    value_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=['registration', 'kind', 'value_hash'], name='lti_nonce_used_once'),
        ]

    def __str__(self):
        return f'{self.kind} {self.value_hash[:12]}'


class ProctoringReview(TimeStampedModel):
    """
    The proctoring tool's verdict on an attempt: its most severe incident, or its final terminate.

    Shown to course staff as `proctored_review` in the attempts list.

    .. no_pii:
    """

    attempt = models.OneToOneField('core.ExamAttempt', on_delete=models.CASCADE, related_name='proctoring_review')
    action = models.CharField(max_length=16)
    severity = models.FloatField(null=True, blank=True)
    reason_code = models.CharField(max_length=255, blank=True)
    reason_msg = models.TextField(blank=True)
    incident_time = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f'{self.action} review of attempt {self.attempt_id} (severity {self.severity})'


class AssessmentControlRecord(models.Model):
    """
    One call of the Assessment Control Service, kept for audit.

    .. no_pii:
    """

    registration = models.ForeignKey(LtiToolRegistration, on_delete=models.CASCADE)
    attempt = models.ForeignKey('core.ExamAttempt', on_delete=models.CASCADE, related_name='assessment_controls')
    action = models.CharField(max_length=16)
    incident_time = models.DateTimeField(null=True, blank=True)
    severity = models.FloatField(null=True, blank=True)
    reason_code = models.CharField(max_length=255, blank=True)
    reason_msg = models.TextField(blank=True)
    extra_time = models.IntegerField(null=True, blank=True)
    status_before = models.CharField(max_length=64)
    status_after = models.CharField(max_length=64)
    acs_status = models.CharField(max_length=16)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=['attempt', 'created'])]

    def __str__(self):
        return f'{self.action} on attempt {self.attempt_id} -> {self.acs_status}'
