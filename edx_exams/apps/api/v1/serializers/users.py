"""Serializers of user records."""

from rest_framework import serializers

from edx_exams.apps.core.api import User


class CurrentUserSerializer(serializers.ModelSerializer):
    """The caller as this service knows it."""

    class Meta:
        model = User
        fields = ['username', 'lms_user_id', 'email', 'full_name', 'is_staff']
        read_only_fields = fields
