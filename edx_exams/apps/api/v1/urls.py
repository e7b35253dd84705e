"""Routes of version 1 of the REST API."""

from edx_exams.apps.api.routing import api_route
from edx_exams.apps.api.v1.views.users import CurrentUserView

app_name = 'v1'

urlpatterns = [
    api_route(r'me', CurrentUserView.as_view(), name='current-user'),
]
