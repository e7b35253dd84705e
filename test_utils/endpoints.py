"""
Every endpoint of the service, read from the URL resolver, with concrete paths to call.

Used by the shared hostile-input tests: a new route is covered as soon as it is
added to a urls.py. Named groups are filled with the values a test gives; the
Django admin is left out (its HTML forms are Django's own).
"""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

EXCLUDED_PREFIXES = ('admin/',)
GROUP_START = re.compile(r'\(\?P<(?P<name>\w+)>')


@dataclass(frozen=True)
class Endpoint:
    """A route: its name, its regex (from the root, without anchors) and the names of its path parameters."""

    name: str
    regex: str
    parameters: tuple[str, ...]

    def path(self, values: dict[str, str]) -> str:
        """Return `/<path>` with each parameter replaced by `values[name]`."""
        return '/' + _fill(self.regex, values)


def all_endpoints() -> list[Endpoint]:
    """Return every routed endpoint except the Django admin, in URLconf order."""
    endpoints = []
    for regex, name in _walk(get_resolver().url_patterns, prefix=''):
        if not regex.startswith(EXCLUDED_PREFIXES):
            endpoints.append(Endpoint(name=name, regex=regex, parameters=tuple(GROUP_START.findall(regex))))
    return endpoints


def _walk(patterns, *, prefix: str):
    for pattern in patterns:
        regex = prefix + _regex_of(pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix=regex)
        elif isinstance(pattern, URLPattern):
            namespace = prefix.split('/')[0]
            yield regex, f'{namespace}:{pattern.name}' if pattern.name else regex


def _regex_of(pattern) -> str:
    text = pattern.pattern.regex.pattern
    return text.removeprefix('^').removesuffix('\\Z').removesuffix('$').removesuffix('/?')


def _fill(regex: str, values: dict[str, str]) -> str:
    """Replace each `(?P<name>...)` (nested groups included) by its value."""
    out, i = [], 0
    while (match := GROUP_START.search(regex, i)) is not None:
        out.append(regex[i : match.start()])
        depth, j = 1, match.end()
        while depth:
            depth += {'(': 1, ')': -1}.get(regex[j], 0) if regex[j - 1] != '\\' else 0
            j += 1
        out.append(values[match.group('name')])
        i = j
    out.append(regex[i:])
    return ''.join(out).replace('\\', '')
