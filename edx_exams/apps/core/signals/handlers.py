"""Receivers of signals from other apps and the event bus; each forwards to core.api."""
