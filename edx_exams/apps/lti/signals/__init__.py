"""Signals received by the LTI app."""
