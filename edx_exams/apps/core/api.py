"""
The public Python API of the core app: the only way in for views, tasks, LTI and commands.

Functions live in small modules by sub-domain; this module re-exports the ones
other apps may call. Keep it the single import point.
"""

from edx_exams.apps.core.access_tokens import ExamAccessToken, get_exam_access_token
from edx_exams.apps.core.accommodations import (
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
    expire_overdue_attempts,
    get_active_exam_by_content,
    get_attempt,
    get_current_attempt,
    get_exam,
    get_latest_attempt,
    start_attempt,
    update_attempt_with_action,
)
from edx_exams.apps.core.configs import (
    get_course_exam_configuration,
    update_course_exam_configuration,
    validate_course_exam_configuration,
)
from edx_exams.apps.core.exams import ExamSpec, PublishResult, list_active_exams, publish_course_exams
from edx_exams.apps.core.exceptions import AnotherAttemptInProgress, ExamIllegalStatusTransition
from edx_exams.apps.core.instructor import (
    ATTEMPT_ORDERINGS,
    DEFAULT_ATTEMPT_ORDERING,
    AttemptQuery,
    get_latest_staff_reviews,
    iter_course_attempt_rows,
    list_course_attempt_rows,
)
from edx_exams.apps.core.locks import lock_attempt
from edx_exams.apps.core.onboarding import OnboardingStatus, get_onboarding_exam, get_onboarding_status
from edx_exams.apps.core.proctoring_control import (
    add_attempt_time,
    find_attempt_by_resource_link,
    is_attempt_paused,
    pause_attempt_clock,
    resume_attempt_clock,
    save_proctoring_provider,
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
from edx_exams.apps.core.timing import (
    LearnerTerms,
    get_learner_terms,
    get_total_time_mins,
    time_remaining_seconds,
)
from edx_exams.apps.core.transitions import transition_attempt

__all__ = [
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
    'get_attempt',
    'get_current_attempt',
    'get_exam',
    'get_latest_attempt',
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
    'start_attempt',
    'time_remaining_seconds',
    'transition_attempt',
    'lock_attempt',
    'update_attempt_with_action',
    'PROVIDER_EDITABLE_FIELDS',
    'update_proctoring_provider',
    'validate_allowances',
    'validate_course_exam_configuration',
    'validate_due_date_extension',
]
