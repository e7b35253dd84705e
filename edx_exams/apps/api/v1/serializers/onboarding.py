"""Serializer of the learner's onboarding status (docs/references/client-contracts.rst section 2.1)."""

from rest_framework import serializers

from edx_exams.apps.core import api


class OnboardingStatusSerializer(serializers.Serializer):
    """The fields the learning MFE's proctoring panel reads, from core.api.OnboardingStatus."""

    onboarding_status = serializers.CharField(source='status', allow_null=True)
    onboarding_link = serializers.SerializerMethodField()
    expiration_date = serializers.DateTimeField(allow_null=True)
    onboarding_release_date = serializers.DateTimeField(source='release_date', allow_null=True)
    onboarding_past_due = serializers.BooleanField(source='past_due')

    def get_onboarding_link(self, status) -> str | None:
        """Return the learning MFE URL of the onboarding exam, or None once it is past due."""
        return api.learning_mfe_exam_url(status.exam) if status.exam is not None else None
