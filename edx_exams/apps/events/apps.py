"""App configuration of the events app."""

from django.apps import AppConfig


class EventsConfig(AppConfig):
    """The event outbox, openedx-events publishing, learner emails and LMS role events."""

    name = 'edx_exams.apps.events'
    label = 'events'
    verbose_name = 'Events'

    def ready(self) -> None:
        """Connect the signal receivers."""
        from edx_exams.apps.events.signals import handlers  # noqa: F401
