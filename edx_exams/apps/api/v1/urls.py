"""Routes of version 1 of the REST API."""

from edx_exams.apps.api.v1.views.allowances import (
    CourseAllowanceDetailView,
    CourseAllowancesUploadView,
    CourseAllowancesView,
    CourseDueDateExtensionDetailView,
    CourseDueDateExtensionsView,
)
from edx_exams.apps.api.v1.views.attempts import (
    ExamAccessTokenView,
    ExamAttemptCreateView,
    ExamAttemptDetailView,
    LatestExamAttemptView,
    StudentExamAttemptView,
)
from edx_exams.apps.api.v1.views.configs import CourseExamConfigurationView
from edx_exams.apps.api.v1.views.exams import CourseExamsView
from edx_exams.apps.api.v1.views.incidents import ExamAttemptsBulkView, ExamExtendRunningView
from edx_exams.apps.api.v1.views.instructor import (
    AttemptTimelineView,
    InstructorAttemptsExportView,
    InstructorAttemptsView,
)
from edx_exams.apps.api.v1.views.onboarding import StudentOnboardingView
from edx_exams.apps.api.v1.views.providers import ProctoringProvidersView, ProviderSettingsView
from edx_exams.apps.api.v1.views.retirement import UserRetirementView
from edx_exams.apps.api.v1.views.users import CurrentUserView
from edx_exams.http.routing import CONTENT_ID_PATTERN, COURSE_ID_PATTERN, api_route, id_pattern

app_name = 'v1'

urlpatterns = [
    api_route(r'me', CurrentUserView.as_view(), name='current-user'),
    api_route(rf'exams/course_id/{COURSE_ID_PATTERN}', CourseExamsView.as_view(), name='course-exams'),
    api_route(rf'exams/course_id/{COURSE_ID_PATTERN}/allowances', CourseAllowancesView.as_view(), name='allowances'),
    api_route(
        rf'exams/course_id/{COURSE_ID_PATTERN}/allowances/upload',
        CourseAllowancesUploadView.as_view(),
        name='allowances-upload',
    ),
    api_route(
        rf'exams/course_id/{COURSE_ID_PATTERN}/allowances/{id_pattern("allowance_id")}',
        CourseAllowanceDetailView.as_view(),
        name='allowance-detail',
    ),
    api_route(
        rf'exams/course_id/{COURSE_ID_PATTERN}/due_date_extensions',
        CourseDueDateExtensionsView.as_view(),
        name='due-date-extensions',
    ),
    api_route(
        rf'exams/course_id/{COURSE_ID_PATTERN}/due_date_extensions/{id_pattern("extension_id")}',
        CourseDueDateExtensionDetailView.as_view(),
        name='due-date-extension-detail',
    ),
    api_route(
        rf'exams/course_id/{COURSE_ID_PATTERN}/exam/{id_pattern("exam_id")}/extend_running',
        ExamExtendRunningView.as_view(),
        name='exam-extend-running',
    ),
    api_route(
        rf'exams/course_id/{COURSE_ID_PATTERN}/exam/{id_pattern("exam_id")}/attempts/bulk',
        ExamAttemptsBulkView.as_view(),
        name='exam-attempts-bulk',
    ),
    api_route(rf'configs/course_id/{COURSE_ID_PATTERN}', CourseExamConfigurationView.as_view(), name='course-config'),
    api_route(r'providers', ProctoringProvidersView.as_view(), name='providers'),
    api_route(
        rf'exam/provider_settings/course_id/{COURSE_ID_PATTERN}/exam_id/{id_pattern("exam_id")}',
        ProviderSettingsView.as_view(),
        name='provider-settings',
    ),
    api_route(rf'student/course_id/{COURSE_ID_PATTERN}/onboarding', StudentOnboardingView.as_view(), name='onboarding'),
    api_route(
        rf'student/exam/attempt/course_id/{COURSE_ID_PATTERN}/content_id/{CONTENT_ID_PATTERN}',
        StudentExamAttemptView.as_view(),
        name='student-exam-attempt',
    ),
    api_route(r'exams/attempt/latest', LatestExamAttemptView.as_view(), name='exam-attempt-latest'),
    api_route(r'exams/attempt', ExamAttemptCreateView.as_view(), name='exam-attempt'),
    api_route(
        rf'exams/attempt/{id_pattern("attempt_id")}', ExamAttemptDetailView.as_view(), name='exam-attempt-detail'
    ),
    api_route(rf'access_tokens/exam_id/{id_pattern("exam_id")}', ExamAccessTokenView.as_view(), name='access-token'),
    api_route(
        rf'instructor_view/course_id/{COURSE_ID_PATTERN}/attempts',
        InstructorAttemptsView.as_view(),
        name='instructor-attempts',
    ),
    api_route(
        rf'instructor_view/course_id/{COURSE_ID_PATTERN}/attempts/export',
        InstructorAttemptsExportView.as_view(),
        name='instructor-attempts-export',
    ),
    api_route(
        rf'instructor_view/attempt/{id_pattern("attempt_id")}/timeline',
        AttemptTimelineView.as_view(),
        name='attempt-timeline',
    ),
    api_route(r'user/retire', UserRetirementView.as_view(), name='user-retire'),
]
