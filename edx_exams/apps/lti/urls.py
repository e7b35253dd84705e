"""Routes of the LTI app, mounted at /lti/; each accepts an optional trailing slash."""

from edx_exams.apps.lti import views
from edx_exams.http.routing import api_route, id_pattern

app_name = 'lti'

urlpatterns = [
    api_route(rf'start_proctoring/{id_pattern("attempt_id")}', views.StartProctoringView.as_view(), 'start-proctoring'),
    api_route(rf'end_assessment/{id_pattern("attempt_id")}', views.EndAssessmentView.as_view(), 'end-assessment'),
    api_route(rf'exam/{id_pattern("exam_id")}/instructor_tool', views.InstructorToolView.as_view(), 'instructor-tool'),
    api_route(r'auth', views.AuthView.as_view(), 'auth'),
    api_route(r'start_assessment', views.StartAssessmentView.as_view(), 'start-assessment'),
    api_route(r'jwks', views.JwksView.as_view(), 'jwks'),
    api_route(r'token', views.TokenView.as_view(), 'token'),
    api_route(rf'{id_pattern("registration_id")}/acs', views.AcsView.as_view(), 'acs'),
]
