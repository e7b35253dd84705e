"""Serializers of proctoring providers: the authoring MFE's list and the learner's provider settings (L6)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from edx_exams.apps.core.api import ProctoringProvider


class ProctoringProviderSerializer(serializers.ModelSerializer):
    """A provider a course may choose."""

    class Meta:
        model = ProctoringProvider
        fields = ['name', 'verbose_name', 'lti_configuration_id']
        read_only_fields = fields


class ProctoringBackendSerializer(serializers.Serializer):
    """
    `exam_proctoring_backend` as frontend-lib-special-exams reads it.

    The lib shows `instructions` (a list of strings) as numbered steps; `download_url`
    and `rules` belong to legacy REST providers and are always empty here.
    """

    name = serializers.CharField(source='provider_name')
    download_url = serializers.SerializerMethodField()
    instructions = serializers.ListField(child=serializers.CharField())
    rules = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_download_url(self, settings) -> str:
        """Return '' (LTI tools launch through /lti/start_proctoring, nothing to download)."""
        return ''

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_rules(self, settings) -> dict:
        """Return {} (no legacy review rules)."""
        return {}


class ProviderSettingsSerializer(serializers.Serializer):
    """The provider details of a proctored exam (docs/references/client-contracts.rst L6)."""

    provider_name = serializers.CharField()
    provider_tech_support_email = serializers.CharField()
    provider_tech_support_phone = serializers.CharField()
    provider_tech_support_url = serializers.CharField()
    proctoring_escalation_email = serializers.CharField(allow_null=True)
    learner_notification_from_email = serializers.CharField()
    integration_specific_email = serializers.CharField()
    exam_proctoring_backend = ProctoringBackendSerializer(source='*')
