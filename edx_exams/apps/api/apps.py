"""App configuration of the REST layer."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The versioned REST API."""

    name = 'edx_exams.apps.api'
    label = 'api'
    verbose_name = 'REST API'

    def ready(self):
        """Register the OpenAPI extensions."""
        from edx_exams.http import schema  # noqa: F401
