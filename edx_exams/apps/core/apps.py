"""App configuration of the core app."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Exams, attempts, allowances, configs and providers."""

    name = 'edx_exams.apps.core'
    label = 'core'
    verbose_name = 'Exams'

    def ready(self) -> None:
        """Connect the signal handlers and register the deploy checks."""
        from edx_exams.apps.core import checks  # noqa: F401
        from edx_exams.apps.core.signals import handlers  # noqa: F401
