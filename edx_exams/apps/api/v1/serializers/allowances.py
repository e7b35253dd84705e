"""Serializers of allowances and personal due-date extensions (the exams dashboard, section 2.2)."""

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from edx_exams.apps.api.v1.serializers.fields import MAX_ROW_ID
from edx_exams.apps.core.api import MAX_EXTRA_TIME_MINS, MAX_TIME_MULTIPLIER


class AllowanceReadSerializer(serializers.Serializer):
    """An allowance as the dashboard lists it."""

    id = serializers.IntegerField()
    exam_id = serializers.IntegerField()
    user_id = serializers.IntegerField()
    lms_user_id = serializers.IntegerField(source='user.lms_user_id', allow_null=True)
    username = serializers.CharField(source='user.username')
    email = serializers.CharField(source='user.email')
    exam_name = serializers.CharField(source='exam.exam_name')
    extra_time_mins = serializers.IntegerField()
    time_multiplier = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)


class AllowanceWriteSerializer(serializers.Serializer):
    """One item of the POSTed list: a learner (username or email), an exam and minutes or a multiplier."""

    username = serializers.CharField(required=False, max_length=150)
    email = serializers.EmailField(required=False)
    exam_id = serializers.IntegerField(min_value=1, max_value=MAX_ROW_ID)
    extra_time_mins = serializers.IntegerField(required=False, min_value=0, max_value=MAX_EXTRA_TIME_MINS)
    time_multiplier = serializers.DecimalField(
        required=False, max_digits=4, decimal_places=2, min_value=1, max_value=MAX_TIME_MULTIPLIER
    )

    def validate(self, attrs):
        """Require a learner and exactly one of minutes and multiplier."""
        if not attrs.get('username') and not attrs.get('email'):
            raise serializers.ValidationError({'username': 'Give a username or an email.'})
        if ('extra_time_mins' in attrs) == ('time_multiplier' in attrs):
            raise serializers.ValidationError({'extra_time_mins': 'Give extra_time_mins or time_multiplier.'})
        return attrs


class AllowanceUploadSerializer(serializers.Serializer):
    """A CSV file of allowances (multipart field `file`)."""

    file = serializers.FileField()


# Schema only (inline serializers: a Serializer class cannot declare a field named `errors`, its own property).
UPLOAD_ROW_FIELDS: dict[str, serializers.Field] = {  # one CSV row of a report; `row` counts the header as line 1
    'row': serializers.IntegerField(),
    'status': serializers.ChoiceField(choices=['ok', 'error']),
    'errors': serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
}
UploadRow = type(inline_serializer('UploadRow', UPLOAD_ROW_FIELDS))  # one class, so one schema component
# The answer to an allowance upload: a summary and one entry per row.
UPLOAD_REPORT = inline_serializer(
    'UploadReport',
    fields={'detail': serializers.CharField(), 'rows': UploadRow(many=True)},
)
# A refused upload: the per-row report, or the field errors of an unreadable file.
UPLOAD_ERROR = inline_serializer(
    'UploadError',
    fields={
        'detail': serializers.CharField(),
        'rows': UploadRow(many=True, required=False),
        'errors': serializers.JSONField(required=False),
    },
)


class DueDateExtensionReadSerializer(serializers.Serializer):
    """A learner's personal due date on an exam."""

    id = serializers.IntegerField()
    exam_id = serializers.IntegerField()
    exam_name = serializers.CharField(source='exam.exam_name')
    user_id = serializers.IntegerField()
    username = serializers.CharField(source='user.username')
    email = serializers.CharField(source='user.email')
    due_date = serializers.DateTimeField()
    granted_by = serializers.CharField(source='granted_by.username', allow_null=True, default=None)


class DueDateExtensionWriteSerializer(serializers.Serializer):
    """POST body of a due-date extension."""

    username = serializers.CharField(required=False, max_length=150)
    email = serializers.EmailField(required=False)
    exam_id = serializers.IntegerField(min_value=1, max_value=MAX_ROW_ID)
    due_date = serializers.DateTimeField()

    def validate(self, attrs):
        """Require a learner."""
        if not attrs.get('username') and not attrs.get('email'):
            raise serializers.ValidationError({'username': 'Give a username or an email.'})
        return attrs
