"""Receivers of core and openedx-events signals."""
