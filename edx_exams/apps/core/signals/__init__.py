"""Signals sent and received by the core app."""
