"""Fixtures shared by every test module."""

import pytest
from rest_framework.test import APIClient

from test_utils.auth import JwtClient


@pytest.fixture
def api_client():
    """An unauthenticated DRF test client."""
    return APIClient()


@pytest.fixture
def jwt_client():
    """A test client that authenticates as any user with an LMS-style JWT header."""
    return JwtClient()
