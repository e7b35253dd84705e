"""Models of the core app: users, providers, course configs, exams, attempts, allowances, roles."""

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Case, Value, When
from simple_history.models import HistoricalRecords

from edx_exams.apps.core.audit import AuditedHistoricalModel, Source
from edx_exams.apps.core.exam_types import PROCTORED_TYPES, ExamType
from edx_exams.apps.core.statuses import IN_PROGRESS, ExamAttemptStatus


class User(AbstractUser):
    """
    A user known from an LMS JWT: learners, course staff and service users.

    .. pii: username, email and full name come from the LMS.
    .. pii_types: username, email_address, name
    .. pii_retirement: local_api
    """

    lms_user_id = models.IntegerField(null=True, blank=True, unique=True, db_index=True)
    anonymous_user_id = models.CharField(max_length=128, blank=True, default='', db_index=True)
    full_name = models.CharField(max_length=255, blank=True, default='')

    class Meta:
        db_table = 'core_user'

    def __str__(self) -> str:
        return self.username


class TimeStampedModel(models.Model):
    """Created and modified timestamps."""

    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ProctoringProvider(TimeStampedModel):
    """
    A proctoring tool registered through LTI 1.3 (never vendor code).

    .. no_pii:
    """

    name = models.SlugField(max_length=64, unique=True)
    verbose_name = models.CharField(max_length=128)
    lti_configuration_id = models.CharField(max_length=255, blank=True, default='')
    # Providers with an org are offered only to that org's courses; none means every org.
    org_key = models.CharField(max_length=255, blank=True, default='', db_index=True)
    tech_support_email = models.EmailField(blank=True, default='')
    tech_support_phone = models.CharField(max_length=64, blank=True, default='')
    tech_support_url = models.URLField(blank=True, default='')
    learner_notification_from_email = models.EmailField(blank=True, default='')
    integration_specific_email = models.EmailField(blank=True, default='')
    instructions = models.TextField(blank=True, default='')
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords(bases=[AuditedHistoricalModel])

    def __str__(self) -> str:
        return self.name


class CourseExamConfiguration(TimeStampedModel):
    """
    A course's proctoring choices, set from the authoring MFE.

    .. no_pii:
    """

    course_id = models.CharField(max_length=255, unique=True)
    provider = models.ForeignKey(ProctoringProvider, null=True, blank=True, on_delete=models.PROTECT)
    escalation_email = models.EmailField(null=True, blank=True)
    allow_opt_out = models.BooleanField(default=False)

    history = HistoricalRecords(bases=[AuditedHistoricalModel])

    def __str__(self) -> str:
        return self.course_id


class Exam(TimeStampedModel):
    """
    One timed or proctored subsection of a course, as Studio publishes it.

    At most one active exam exists per course and content id. The partial
    uniqueness is enforced through `active_marker`, a generated column that is
    1 for active rows and NULL otherwise, so MySQL (which has no conditional
    unique index) enforces it too.

    .. no_pii:
    """

    resource_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    course_id = models.CharField(max_length=255, db_index=True)
    content_id = models.CharField(max_length=255)
    provider = models.ForeignKey(ProctoringProvider, null=True, blank=True, on_delete=models.PROTECT)
    exam_name = models.CharField(max_length=255)
    exam_type = models.CharField(max_length=32, choices=ExamType.choices)
    time_limit_mins = models.PositiveIntegerField(null=True, blank=True)
    due_date = models.DateTimeField(null=True, blank=True)
    hide_after_due = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    active_marker = models.GeneratedField(
        expression=Case(When(is_active=True, then=Value(1)), default=None),
        output_field=models.PositiveSmallIntegerField(null=True),
        db_persist=True,
    )

    history = HistoricalRecords(excluded_fields=['active_marker'], bases=[AuditedHistoricalModel])

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=['course_id', 'content_id', 'active_marker'], name='one_active_exam_per_content'
            ),
        ]
        indexes = [models.Index(fields=['course_id', 'content_id'])]

    def __str__(self) -> str:
        return f'{self.exam_name} ({self.exam_type}, {self.content_id})'

    @property
    def is_proctored(self) -> bool:
        """Return True for the types taken with a proctoring tool."""
        return self.exam_type in PROCTORED_TYPES


class ExamAttemptQuerySet(models.QuerySet['ExamAttempt']):
    """Named selections of attempts."""

    def running(self) -> 'ExamAttemptQuerySet':
        """Return the attempts whose clock runs: started or ready to submit, and not reset or replaced."""
        return self.filter(status__in=IN_PROGRESS, is_active=True)


class ExamAttempt(TimeStampedModel):
    """
    One learner's attempt at an exam; retakes are new rows with the next attempt number.

    .. no_pii:
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name='exam_attempts')
    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name='attempts')
    attempt_number = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=64, choices=ExamAttemptStatus.choices, default=ExamAttemptStatus.CREATED)
    taking_as_proctored = models.BooleanField(default=False)
    # Fixed at the first start: limit + allowance, capped by the due date.
    allowed_time_limit_mins = models.PositiveIntegerField(null=True, blank=True)
    start_time = models.DateTimeField(null=True, blank=True)
    # When the clock stops; NULL for an untimed exam without a due date, and while paused.
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    end_time = models.DateTimeField(null=True, blank=True)
    # Set while the proctoring tool has paused the clock (LTI ACS `pause`): since when, and the
    # seconds that were left (NULL for an untimed attempt). `expires_at` is NULL meanwhile, so
    # neither the expiry sweep nor a read submits a paused attempt; `resume` sets it again.
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_seconds_remaining = models.FloatField(null=True, blank=True)
    # A retaken or reset attempt stays for history but leaves the learner's view.
    is_active = models.BooleanField(default=True)
    # Who reset the attempt (DELETE by staff or the learner) and when.
    reset_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name='+')
    reset_at = models.DateTimeField(null=True, blank=True)
    # Staff resume of an errored attempt: the seconds that were left when it errored, the flag
    # that shows the learner the resume entrance, and on the attempt that continues it, the link
    # back and the seconds it carries.
    seconds_remaining_at_error = models.FloatField(null=True, blank=True)
    ready_to_resume = models.BooleanField(default=False)
    resumed_from = models.ForeignKey('self', null=True, blank=True, on_delete=models.SET_NULL, related_name='+')
    carried_seconds_remaining = models.FloatField(null=True, blank=True)

    objects = ExamAttemptQuerySet.as_manager()
    history = HistoricalRecords(bases=[AuditedHistoricalModel])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=['user', 'exam', 'attempt_number'], name='one_attempt_per_number'),
        ]
        indexes = [
            models.Index(fields=['user', 'status']),
            models.Index(fields=['status', 'expires_at']),
        ]

    def __str__(self) -> str:
        return f'attempt {self.pk} of user {self.user_id} on exam {self.exam_id}: {self.status}'


class StudentAllowance(TimeStampedModel):
    """
    Extra minutes one learner gets on one exam.

    .. no_pii:
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name='allowances')
    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name='allowances')
    extra_time_mins = models.PositiveIntegerField()
    # Set when staff granted a multiple of the time limit; extra_time_mins holds its value in minutes.
    time_multiplier = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)

    history = HistoricalRecords(bases=[AuditedHistoricalModel])

    class Meta:
        constraints = [models.UniqueConstraint(fields=['user', 'exam'], name='one_allowance_per_user_exam')]

    def __str__(self) -> str:
        return f'{self.extra_time_mins} extra minutes for user {self.user_id} on exam {self.exam_id}'


class CourseStaffRole(TimeStampedModel):
    """
    A course role that lets a user act as course staff (from LMS role events or the CSV backfill).

    .. no_pii:
    """

    class Role(models.TextChoices):
        """The LMS course access roles that count as course staff here."""

        STAFF = 'staff'
        INSTRUCTOR = 'instructor'
        LIMITED_STAFF = 'limited_staff'

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name='course_roles')
    course_id = models.CharField(max_length=255, db_index=True)
    role = models.CharField(max_length=32, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=['user', 'course_id', 'role'], name='one_role_per_user_course')]

    def __str__(self) -> str:
        return f'{self.user_id} {self.role} on {self.course_id}'


class DueDateExtension(TimeStampedModel):
    """
    A later due date for one learner on one exam (an accommodation).

    Honoured by the timer, the expiry sweep, new attempts and access tokens.

    .. no_pii:
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name='due_date_extensions')
    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name='due_date_extensions')
    due_date = models.DateTimeField()
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name='+')

    history = HistoricalRecords(bases=[AuditedHistoricalModel])

    class Meta:
        constraints = [models.UniqueConstraint(fields=['user', 'exam'], name='one_extension_per_user_exam')]

    def __str__(self) -> str:
        return f'due {self.due_date:%Y-%m-%d %H:%M} for user {self.user_id} on exam {self.exam_id}'


class AttemptReview(TimeStampedModel):
    """
    A staff review decision on an attempt (verify or reject), with who made it and why.

    .. no_pii:
    """

    class Decision(models.TextChoices):
        """The staff review outcomes."""

        VERIFIED = 'verified'
        REJECTED = 'rejected'

    attempt = models.ForeignKey(ExamAttempt, on_delete=models.CASCADE, related_name='reviews')
    reviewer = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name='+')
    decision = models.CharField(max_length=16, choices=Decision.choices)
    comment = models.TextField(blank=True, default='')
    # Where the decision was made (REST, admin), from the audit context (core/audit.py).
    source = models.CharField(max_length=16, blank=True, default='', choices=Source.choices)

    class Meta:
        indexes = [models.Index(fields=['attempt', 'created'])]

    def __str__(self) -> str:
        return f'{self.decision} of attempt {self.attempt_id} by user {self.reviewer_id}'


class ExamTimeExtension(TimeStampedModel):
    """
    Staff's exam-wide extension of the running attempts (incident response): the audit record and its idempotency key.

    One row per (exam, client key): a repeated request with the same key finds it and
    answers what it stored, without adding the time again. `result` keeps attempt and
    user ids only (no names), so a retired learner leaves nothing personal here.

    .. no_pii:
    """

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name='time_extensions')
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name='+')
    idempotency_key = models.CharField(max_length=128)
    minutes = models.PositiveIntegerField()
    reason = models.CharField(max_length=500)
    extended_count = models.PositiveIntegerField(default=0)
    capped_count = models.PositiveIntegerField(default=0)
    # {"extended": [[attempt_id, user_id, seconds_added], ...], "capped": [attempt ids], "no_clock": [attempt ids]}
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=['exam', 'idempotency_key'], name='one_time_extension_per_key'),
        ]

    def __str__(self) -> str:
        return f'{self.minutes} minutes on exam {self.exam_id} ({self.idempotency_key})'
