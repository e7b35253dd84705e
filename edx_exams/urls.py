"""Root URL configuration of edx-exams."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from edx_exams.apps.api.csrf import ExamsCsrfTokenView
from edx_exams.apps.api.routing import api_route
from edx_exams.health import HealthView, LivenessView, ReadinessView

admin.site.site_header = 'edx-exams administration'

urlpatterns = [
    path('admin/', admin.site.urls),
    path('api/', include('edx_exams.apps.api.urls', namespace='api')),
    path('lti/', include('edx_exams.apps.lti.urls', namespace='lti')),
    api_route(r'csrf/api/v1/token', ExamsCsrfTokenView.as_view(), name='csrf-token'),
    api_route(r'health', HealthView.as_view(), name='health'),
    api_route(r'health/live', LivenessView.as_view(), name='health-live'),
    api_route(r'health/ready', ReadinessView.as_view(), name='health-ready'),
    api_route(r'api/schema', SpectacularAPIView.as_view(), name='api-schema'),
    api_route(r'api-docs', SpectacularSwaggerView.as_view(url_name='api-schema'), name='api-docs'),
]

handler400 = 'edx_exams.apps.api.exceptions.json_bad_request'
handler403 = 'edx_exams.apps.api.exceptions.json_permission_denied'
handler404 = 'edx_exams.apps.api.exceptions.json_page_not_found'
handler500 = 'edx_exams.apps.api.exceptions.json_server_error'
