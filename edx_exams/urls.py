"""Root URL configuration of edx-exams."""

from django.contrib import admin
from django.urls import include, path

from edx_exams.apps.api.csrf import ExamsCsrfTokenView
from edx_exams.apps.api.docs_views import ExamsSchemaView, ExamsSwaggerView
from edx_exams.health import HealthView, LivenessView, ReadinessView
from edx_exams.http.routing import api_route

admin.site.site_header = 'edx-exams administration'

urlpatterns = [
    path('admin/', admin.site.urls),
    path('api/', include('edx_exams.apps.api.urls', namespace='api')),
    path('lti/', include('edx_exams.apps.lti.urls', namespace='lti')),
    api_route(r'csrf/api/v1/token', ExamsCsrfTokenView.as_view(), name='csrf-token'),
    api_route(r'health', HealthView.as_view(), name='health'),
    api_route(r'health/live', LivenessView.as_view(), name='health-live'),
    api_route(r'health/ready', ReadinessView.as_view(), name='health-ready'),
    api_route(r'api/schema', ExamsSchemaView.as_view(), name='api-schema'),
    api_route(r'api-docs', ExamsSwaggerView.as_view(url_name='api-schema'), name='api-docs'),
]

handler400 = 'edx_exams.http.exceptions.json_bad_request'
handler403 = 'edx_exams.http.exceptions.json_permission_denied'
handler404 = 'edx_exams.http.exceptions.json_page_not_found'
handler500 = 'edx_exams.http.exceptions.json_server_error'
