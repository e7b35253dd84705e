"""Fixtures shared by every test module."""

import pytest
from rest_framework.test import APIClient

from test_utils.auth import JwtClient
from test_utils.fuzz import FUZZ_SUMMARY


@pytest.fixture
def api_client():
    """An unauthenticated DRF test client."""
    return APIClient()


@pytest.fixture
def jwt_client():
    """A test client that authenticates as any user with an LMS-style JWT header."""
    return JwtClient()


def pytest_terminal_summary(terminalreporter, config):
    """Print the API fuzzing figures (operations, examples, 5xx answers) when the fuzz tests ran."""
    summary = config.stash.get(FUZZ_SUMMARY, None)
    if summary:
        terminalreporter.write_line(summary)
