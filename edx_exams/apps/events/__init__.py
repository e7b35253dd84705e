"""Event outbox, openedx-events publishing, learner emails and LMS role events."""
