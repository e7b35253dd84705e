"""App configuration of the LTI app."""

from django.apps import AppConfig


class LtiConfig(AppConfig):
    """LTI 1.3 proctoring launches, assessment control and tool registration."""

    name = 'edx_exams.apps.lti'
    label = 'lti'
    verbose_name = 'LTI proctoring'

    def ready(self):
        """Connect the signal handlers; give core the tool's reviews and review URL for the instructor list."""
        from edx_exams.apps.core import api as core_api
        from edx_exams.apps.lti import reviews
        from edx_exams.apps.lti.signals import handlers  # noqa: F401

        core_api.register_proctoring_tool_views(
            core_api.ProctoringToolViews(
                reviews_for_attempts=reviews.get_reviews_for_attempts,
                instructor_tool_url=reviews.instructor_tool_url,
            )
        )
