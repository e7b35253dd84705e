"""
URL helpers shared by every API version.

Clients send paths with and without a trailing slash, and course and usage keys
raw or percent-encoded (docs/references/client-contracts.rst section 0). Django decodes the path
before matching, so the patterns only need to accept an optional slash; with
APPEND_SLASH off no client ever receives a redirect.
"""

from django.urls import re_path

# course-v1:Org+Num+Run and the old slash form Org/Num/Run.
COURSE_ID_PATTERN = r'(?P<course_id>[^/+]+(?:/|\+)[^/+]+(?:/|\+)[^/?]+?)'
# block-v1:...+type@sequential+block@x (and old i4x:// keys, which contain slashes).
CONTENT_ID_PATTERN = r'(?P<content_id>.+?)'
ID_PATTERN = r'(?P<{name}>\d+)'


def id_pattern(name: str) -> str:
    """Return a named regex group for a numeric id."""
    return ID_PATTERN.format(name=name)


def api_route(regex: str, view, name: str):
    """Return a route matching `regex` with or without a trailing slash."""
    return re_path(rf'^{regex}/?$', view, name=name)
