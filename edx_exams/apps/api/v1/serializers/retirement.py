"""Serializers of user retirement."""

from rest_framework import serializers

from edx_exams.apps.api.v1.serializers.fields import StrictCharField, StrictIntegerField


class RetireUserSerializer(serializers.Serializer):
    """`{"username": ...}` (the original LMS username) or `{"lms_user_id": ...}`: exactly one."""

    username = StrictCharField(required=False, max_length=150)
    lms_user_id = StrictIntegerField(required=False, min_value=1, max_value=2**31 - 1)

    def validate(self, attrs: dict) -> dict:
        """Require exactly one identifier."""
        if ('username' in attrs) == ('lms_user_id' in attrs):
            raise serializers.ValidationError('Give exactly one of username or lms_user_id.')
        return attrs


class RetirementResultSerializer(serializers.Serializer):
    """What the retirement did: `changed` is false when the user was already retired."""

    lms_user_id = serializers.IntegerField(allow_null=True)
    retired_username = serializers.CharField()
    changed = serializers.BooleanField()
