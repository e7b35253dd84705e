"""API version namespaces only."""

from django.urls import include, path

app_name = 'api'

urlpatterns = [
    path('v1/', include('edx_exams.apps.api.v1.urls', namespace='v1')),
]
