"""App configuration of the LTI app."""

from django.apps import AppConfig


class LtiConfig(AppConfig):
    """LTI 1.3 proctoring launches, assessment control and tool registration."""

    name = 'edx_exams.apps.lti'
    label = 'lti'
    verbose_name = 'LTI proctoring'

    def ready(self):
        """Connect the signal handlers."""
        from edx_exams.apps.lti.signals import handlers  # noqa: F401
