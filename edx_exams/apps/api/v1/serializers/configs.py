"""
Serializers of a course's proctoring configuration, used by the authoring MFE.

Contract: docs/references/client-contracts.rst section 2.3.
"""

from rest_framework import serializers

from edx_exams.apps.api.v1.serializers.fields import StrictBooleanField, StrictCharField
from edx_exams.apps.core.api import CourseExamConfiguration


class CourseExamConfigurationReadSerializer(serializers.Serializer):
    """The configuration as the authoring MFE reads it; a course without one reads as all defaults."""

    provider = serializers.CharField(allow_null=True, help_text='Name of the proctoring provider, or null.')
    escalation_email = serializers.EmailField(allow_null=True)
    allow_opt_out = serializers.BooleanField()

    @classmethod
    def from_configuration(cls, config: CourseExamConfiguration | None) -> 'CourseExamConfigurationReadSerializer':
        """Return a serializer of `config`, or of the defaults when the course has none."""
        if config is None:
            return cls({'provider': None, 'escalation_email': None, 'allow_opt_out': False})
        return cls(
            {
                'provider': config.provider.name if config.provider else None,
                'escalation_email': config.escalation_email,
                'allow_opt_out': config.allow_opt_out,
            }
        )


class CourseExamConfigurationWriteSerializer(serializers.Serializer):
    """The authoring MFE's save: `{"provider": name|null, "escalation_email": email|null}`."""

    provider = StrictCharField(allow_null=True, max_length=64)
    escalation_email = serializers.EmailField(
        allow_null=True, allow_blank=True, required=False, default=None, max_length=254
    )
    allow_opt_out = StrictBooleanField(required=False, default=None, allow_null=True)

    def validate(self, attrs: dict) -> dict:
        """Require an escalation email when a provider is set."""
        if attrs['provider'] and not attrs.get('escalation_email'):
            raise serializers.ValidationError(
                {'escalation_email': ['An escalation email is required when a proctoring provider is set.']}
            )
        return attrs
