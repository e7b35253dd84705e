"""
The public Python API of the core app: the only way in for views, tasks, LTI and commands.

Functions live in small modules by sub-domain; this module re-exports the ones
other apps may call. Keep it the single import point.
"""

from edx_exams.apps.core.access_tokens import ExamAccessToken, get_exam_access_token
from edx_exams.apps.core.accommodations import (
    MAX_EXTRA_TIME_MINS,
    MAX_TIME_MULTIPLIER,
    AllowanceSpec,
    InvalidAccommodation,
    delete_allowance,
    delete_due_date_extension,
    list_allowances,
    list_due_date_extensions,
    set_due_date_extension,
    upsert_allowances,
    validate_allowances,
    validate_due_date_extension,
)
from edx_exams.apps.core.attempts import (
    ATTEMPT_ACTIONS,
    create_exam_attempt,
    end_attempt_for_proctor,
    expire_overdue_attempts,
    get_active_exam_by_content,
    get_active_exam_with_terms,
    get_attempt,
    get_current_attempt,
    get_exam,
    get_latest_attempt,
    get_latest_attempt_with_terms,
    mark_download_software_clicked,
    mark_ready_to_start,
    submit_attempt,
    update_attempt_with_action,
)
from edx_exams.apps.core.audit import Actor as AuditActor
from edx_exams.apps.core.audit import Source as AuditSource
from edx_exams.apps.core.audit import acting
from edx_exams.apps.core.audit import set_user as set_acting_user
from edx_exams.apps.core.bulk_actions import (
    MAX_BULK_ATTEMPTS,
    AttemptSelection,
    BulkAction,
    BulkItem,
    BulkResult,
    Outcome,
    bulk_attempt_action,
)
from edx_exams.apps.core.configs import (
    get_course_exam_configuration,
    update_course_exam_configuration,
    validate_course_exam_configuration,
)
from edx_exams.apps.core.exam_facts import is_practice_exam, learning_mfe_course_url, learning_mfe_exam_url
from edx_exams.apps.core.exam_types import EXAM_TYPE_ALIASES, ExamType, normalize_exam_type
from edx_exams.apps.core.exams import ExamSpec, PublishResult, list_active_exams, publish_course_exams
from edx_exams.apps.core.exceptions import (
    AnotherAttemptInProgress,
    ExamAttemptDoesNotExist,
    ExamBaseException,
    ExamIllegalStatusTransition,
    InvalidCourseKey,
)
from edx_exams.apps.core.incidents import (
    MAX_IDEMPOTENCY_KEY_LENGTH,
    MAX_REASON_LENGTH,
    ExtendedAttempt,
    TimeExtensionOutcome,
    extend_running_attempts,
)
from edx_exams.apps.core.instructor import (
    ATTEMPT_ORDERINGS,
    DEFAULT_ATTEMPT_ORDERING,
    AttemptQuery,
    get_latest_staff_reviews,
    iter_course_attempt_rows,
    list_course_attempt_rows,
)
from edx_exams.apps.core.locks import lock_attempt
from edx_exams.apps.core.models import (
    CourseExamConfiguration,
    Exam,
    ExamAttempt,
    ProctoringProvider,
    TimeStampedModel,
    User,
)
from edx_exams.apps.core.onboarding import OnboardingStatus, get_onboarding_exam, get_onboarding_status
from edx_exams.apps.core.proctoring_control import (
    add_attempt_time,
    find_attempt_by_resource_link,
    is_attempt_paused,
    pause_attempt_clock,
    resume_attempt_clock,
    save_proctoring_provider,
)
from edx_exams.apps.core.proctoring_tool import (
    ProctoringToolViews,
    get_instructor_tool_url,
    get_proctoring_reviews,
    register_proctoring_tool_views,
)
from edx_exams.apps.core.providers import (
    PROVIDER_EDITABLE_FIELDS,
    ProviderSettings,
    get_provider_settings,
    list_providers,
    update_proctoring_provider,
)
from edx_exams.apps.core.resets import reset_exam_attempt
from edx_exams.apps.core.retirement import RetirementResult, retire_user
from edx_exams.apps.core.roles import (
    StaffImportReport,
    bulk_add_course_staff,
    grant_course_staff_role,
    is_course_staff,
    revoke_course_staff_role,
)
from edx_exams.apps.core.signals.signals import ATTEMPT_RESET, ATTEMPT_STATUS_CHANGED, USER_RETIRED
from edx_exams.apps.core.statuses import COMPLETED, IN_PROGRESS, ExamAttemptStatus
from edx_exams.apps.core.timeline import EntryType, TimelineEntry, get_attempt_timeline
from edx_exams.apps.core.timing import (
    LearnerTerms,
    get_learner_terms,
    get_total_time_mins,
    time_remaining_seconds,
)

__all__ = [
    # Who and what is changing data: each entry point (REST and LTI views, the admin site, Celery
    # tasks, manage.py) enters a context; every history row records it (core/audit.py).
    'AuditActor',
    'AuditSource',
    'acting',
    'set_acting_user',
    # What happened to an attempt, read from its history rows and reviews (core/timeline.py).
    'EntryType',
    'TimelineEntry',
    'get_attempt_timeline',
    # The types other apps annotate with and receive from the signals; they read them, core writes them.
    # Models other apps point foreign keys at, serialize read-only or subclass (TimeStampedModel).
    'CourseExamConfiguration',
    'Exam',
    'ExamAttempt',
    'ProctoringProvider',
    'TimeStampedModel',
    'User',
    'ExamAttemptStatus',
    'COMPLETED',
    'IN_PROGRESS',
    'ExamType',
    'EXAM_TYPE_ALIASES',
    'normalize_exam_type',
    # Facts about an exam the clients show (practice or not, its page and its course's page).
    'is_practice_exam',
    'learning_mfe_course_url',
    'learning_mfe_exam_url',
    # The root of the domain errors (each carries its HTTP status) and the ones other apps raise.
    'ExamBaseException',
    'ExamAttemptDoesNotExist',
    'InvalidCourseKey',
    'MAX_EXTRA_TIME_MINS',
    'MAX_TIME_MULTIPLIER',
    # What the proctoring tool (the LTI app) contributes to the instructor list, registered at start-up.
    'ProctoringToolViews',
    'register_proctoring_tool_views',
    'get_proctoring_reviews',
    'get_instructor_tool_url',
    # The signals core sends inside the transaction of the change; receivers are listed in
    # core/effects.py and core/retirement.py.
    'ATTEMPT_RESET',
    'ATTEMPT_STATUS_CHANGED',
    'USER_RETIRED',
    'AnotherAttemptInProgress',
    'ATTEMPT_ORDERINGS',
    'DEFAULT_ATTEMPT_ORDERING',
    'AttemptQuery',
    'get_latest_staff_reviews',
    'iter_course_attempt_rows',
    'list_course_attempt_rows',
    'OnboardingStatus',
    'get_onboarding_exam',
    'get_onboarding_status',
    'RetirementResult',
    'retire_user',
    'AllowanceSpec',
    'InvalidAccommodation',
    'delete_allowance',
    'delete_due_date_extension',
    'list_allowances',
    'list_due_date_extensions',
    'reset_exam_attempt',
    'set_due_date_extension',
    'upsert_allowances',
    'ExamIllegalStatusTransition',
    'ExamAccessToken',
    'get_exam_access_token',
    'ATTEMPT_ACTIONS',
    'add_attempt_time',
    'find_attempt_by_resource_link',
    'save_proctoring_provider',
    'is_attempt_paused',
    'pause_attempt_clock',
    'resume_attempt_clock',
    'create_exam_attempt',
    'expire_overdue_attempts',
    'get_active_exam_by_content',
    'get_active_exam_with_terms',
    'get_attempt',
    'get_current_attempt',
    'get_exam',
    'get_latest_attempt',
    'get_latest_attempt_with_terms',
    'get_total_time_mins',
    'get_learner_terms',
    'LearnerTerms',
    'is_course_staff',
    'grant_course_staff_role',
    'revoke_course_staff_role',
    'ExamSpec',
    'ProviderSettings',
    'PublishResult',
    'StaffImportReport',
    'bulk_add_course_staff',
    'get_course_exam_configuration',
    'get_provider_settings',
    'list_active_exams',
    'list_providers',
    'publish_course_exams',
    'update_course_exam_configuration',
    'time_remaining_seconds',
    'end_attempt_for_proctor',
    'mark_download_software_clicked',
    'mark_ready_to_start',
    'submit_attempt',
    'lock_attempt',
    'update_attempt_with_action',
    'PROVIDER_EDITABLE_FIELDS',
    'update_proctoring_provider',
    'validate_allowances',
    'validate_course_exam_configuration',
    'validate_due_date_extension',
    # Incident response: exam-wide extra time (once per idempotency key) and bulk resume or reset.
    'MAX_IDEMPOTENCY_KEY_LENGTH',
    'MAX_REASON_LENGTH',
    'ExtendedAttempt',
    'TimeExtensionOutcome',
    'extend_running_attempts',
    'MAX_BULK_ATTEMPTS',
    'AttemptSelection',
    'BulkAction',
    'BulkItem',
    'BulkResult',
    'Outcome',
    'bulk_attempt_action',
]
