"""
What the instructor dashboard shows of the proctoring tool, without core or the REST API importing LTI.

The LTI app owns the tool's reviews and the instructor-tool launch URL. At start-up
it registers one `ProctoringToolViews` here (see `lti/apps.py`); core hands them on to
the REST layer through `core.api`. With no registration (an installation without
the LTI app) attempts have no tool review and no review URL.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ProctoringToolViews:
    """The proctoring tool's contributions to the attempts list: reviews by attempt id, and the review URL."""

    reviews_for_attempts: Callable[[Iterable[int]], dict[int, dict[str, Any]]]
    instructor_tool_url: Callable[[int], str]


_registered: list[ProctoringToolViews] = []


def register_proctoring_tool_views(views: ProctoringToolViews) -> None:
    """Make `views` the source of proctoring reviews and review URLs (called once, from an app's `ready`)."""
    _registered[:] = [views]


def get_proctoring_reviews(attempt_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Return `{attempt_id: {"severity": ..., "submission_reason": ...}}` for the attempts the tool reviewed."""
    if not _registered:
        return {}
    return _registered[0].reviews_for_attempts(attempt_ids)


def get_instructor_tool_url(exam_id: int) -> str | None:
    """Return the URL that launches the proctoring tool's review dashboard of `exam_id`, or None without a tool."""
    if not _registered:
        return None
    return _registered[0].instructor_tool_url(exam_id)
