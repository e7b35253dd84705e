"""Serializers of course exams: Studio's publish list (write) and the exams dashboard list (read)."""

from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey, UsageKey
from rest_framework import serializers

from edx_exams.apps.api.v1.serializers.fields import StrictBooleanField, StrictCharField, StrictIntegerField
from edx_exams.apps.core import api
from edx_exams.apps.core.api import EXAM_TYPE_ALIASES, Exam, ExamType, normalize_exam_type

# One week: anything longer is a unit mistake (hours or seconds typed as minutes).
MAX_TIME_LIMIT_MINS = 7 * 24 * 60
PUBLISHED_EXAM_TYPES = [*ExamType.values, *EXAM_TYPE_ALIASES]


class PublishedExamSerializer(serializers.Serializer):
    """One item of Studio's PATCH body (cms/djangoapps/contentstore/exams.py::register_exams)."""

    course_id = StrictCharField(max_length=255)
    content_id = StrictCharField(max_length=255)
    # A subsection without a display name reaches us as null: publish it nameless rather than
    # refuse the whole course (one bad item blocks every exam of the publish).
    exam_name = StrictCharField(max_length=255, allow_blank=True, allow_null=True)
    time_limit_mins = StrictIntegerField(
        allow_null=True, required=False, default=None, min_value=0, max_value=MAX_TIME_LIMIT_MINS
    )
    due_date = serializers.DateTimeField(allow_null=True, required=False, default=None)
    exam_type = serializers.ChoiceField(choices=PUBLISHED_EXAM_TYPES)
    is_active = StrictBooleanField(required=False, default=True)
    hide_after_due = StrictBooleanField(required=False, default=False)
    # Studio's course.proctoring_provider ("only for edx-proctoring support"); accepted and ignored.
    backend = StrictCharField(required=False, allow_null=True, allow_blank=True, max_length=255)

    def validate_exam_name(self, value: str | None) -> str:
        """Store a null name as an empty one."""
        return value or ''

    def validate_course_id(self, value: str) -> str:
        """Require the course of the URL."""
        try:
            key = CourseKey.from_string(value)
        except InvalidKeyError as error:
            raise serializers.ValidationError(f'Invalid course key: {value}') from error
        if key != self.context['course_key']:
            raise serializers.ValidationError(f'The exam belongs to {value}, not to the course of the URL.')
        return value

    def validate_content_id(self, value: str) -> str:
        """Require a usage key of a block in the course of the URL; return it in canonical form."""
        try:
            key = UsageKey.from_string(value)
        except InvalidKeyError as error:
            raise serializers.ValidationError(f'Invalid usage key: {value}') from error
        if not _in_course(key, self.context['course_key']):
            raise serializers.ValidationError(f'The content {value} is not part of the course of the URL.')
        return str(key)

    def validate_exam_type(self, value: str) -> str:
        """Resolve Studio's `practice_proctored` to `practice`."""
        return normalize_exam_type(value)


def parse_published_exams(data, *, course_key: CourseKey) -> list[api.ExamSpec]:
    """
    Validate Studio's whole list and return it as ExamSpecs, or raise one ValidationError for all items.

    Errors are keyed by the item's index in the list: `{"2": {"time_limit_mins": [...]}}`.
    """
    if not isinstance(data, list):
        raise serializers.ValidationError({'non_field_errors': [f'Expected a list of exams, got {_json_type(data)}.']})
    serializer = PublishedExamSerializer(data=data, many=True, context={'course_key': course_key})
    if not serializer.is_valid():
        raise serializers.ValidationError(_errors_by_index(serializer.errors))
    items = serializer.validated_data
    first_index: dict[str, int] = {}
    for index, item in enumerate(items):
        if item['content_id'] in first_index:
            message = f'Listed twice (also item {first_index[item["content_id"]]}).'
            raise serializers.ValidationError({str(index): {'content_id': [message]}})
        first_index[item['content_id']] = index
    return [_to_spec(item) for item in items]


class PublishResultSerializer(serializers.Serializer):
    """What a publish changed (Studio only needs a JSON body; people reading logs like the counts)."""

    created = serializers.ListField(child=serializers.IntegerField(), help_text='ids of new exam rows')
    updated = serializers.ListField(child=serializers.IntegerField(), help_text='ids of exams changed in place')
    deactivated = serializers.ListField(child=serializers.IntegerField(), help_text='ids of exams retired')
    unchanged = serializers.IntegerField(help_text='exams already up to date')


class ExamSerializer(serializers.ModelSerializer):
    """An exam as the exams dashboard lists it."""

    backend = serializers.CharField(
        source='provider.name', allow_null=True, read_only=True, help_text='The proctoring provider, if any.'
    )

    class Meta:
        model = Exam
        fields = [
            'id',
            'exam_name',
            'exam_type',
            'time_limit_mins',
            'content_id',
            'course_id',
            'due_date',
            'hide_after_due',
            'is_active',
            'backend',
        ]
        read_only_fields = fields


def _to_spec(item: dict) -> api.ExamSpec:
    fields = ('content_id', 'exam_name', 'exam_type', 'time_limit_mins', 'due_date', 'hide_after_due', 'is_active')
    return api.ExamSpec(**{name: item[name] for name in fields})


def _errors_by_index(errors) -> dict:
    """Key item errors by index (DRF gives a dict of invalid items, or a list with {} for valid ones)."""
    items = errors.items() if isinstance(errors, dict) else enumerate(errors)
    return {str(index): item_errors for index, item_errors in items if item_errors}


def _in_course(usage_key: UsageKey, course_key: CourseKey) -> bool:
    block_course = usage_key.course_key
    if block_course.run is None:  # old i4x:// keys carry no run
        return (block_course.org, block_course.course) == (course_key.org, course_key.course)
    return block_course == course_key


def _json_type(value) -> str:
    return {dict: 'an object', str: 'a string', bool: 'a boolean', type(None): 'null'}.get(type(value), 'a number')
