"""Where the API fuzz tests leave their summary for the end of the test run (see conftest.py)."""

import pytest

FUZZ_SUMMARY = pytest.StashKey[str]()
