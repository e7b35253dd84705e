"""
The import rules between the apps (ADR 0017), checked on the source of every module.

- Outside ``edx_exams/apps/core``, core is imported only through ``edx_exams.apps.core.api``.
- The REST app (``apps/api``) and the LTI app (``apps/lti``) never import each other; what both
  need (exception handler, routing, parsing, negotiation, authentication) is in ``edx_exams/http``.

Test modules (``tests/`` folders, ``test_*.py``, ``conftest.py``) are exempt: they build rows with
core's factories and models, and the LTI tests drive a learner through the REST client.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parents[1]
CORE = 'edx_exams.apps.core'
CORE_API = 'edx_exams.apps.core.api'
APP_BOUNDARIES = {'edx_exams.apps.api': 'edx_exams.apps.lti', 'edx_exams.apps.lti': 'edx_exams.apps.api'}


def module_name(path: Path) -> str:
    """Return the dotted module name of a file under the package root."""
    relative = path.relative_to(PACKAGE_ROOT.parent).with_suffix('')
    return '.'.join(relative.parts)


def is_test_module(path: Path) -> bool:
    """Return True for test code, which the rules exempt."""
    return 'tests' in path.parts or path.name.startswith('test_') or path.name == 'conftest.py'


def absolute_module(importer: str, node: ast.ImportFrom) -> str:
    """Return the module a `from ... import` names, relative imports resolved against `importer`."""
    if not node.level:
        return node.module or ''
    package = importer.split('.')[: -node.level]
    return '.'.join([*package, *([node.module] if node.module else [])])


def imported_names(importer: str, source: str) -> Iterator[tuple[int, str]]:
    """Yield `(line, dotted name)` for every import, and every name imported from a module."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            module = absolute_module(importer, node)
            yield node.lineno, module
            for alias in node.names:
                yield node.lineno, f'{module}.{alias.name}'


def within(name: str, package: str) -> bool:
    """Return True if `name` is `package` or inside it."""
    return name == package or name.startswith(f'{package}.')


def violations(importer: str, source: str) -> list[str]:
    """Return the rule each import of `source` (the module `importer`) breaks, as readable lines."""
    found = []
    for line, name in imported_names(importer, source):
        if not within(importer, CORE) and within(name, CORE) and name != CORE and not within(name, CORE_API):
            found.append(f'{importer}:{line} imports {name} (use {CORE_API})')
        for app, other in APP_BOUNDARIES.items():
            if within(importer, app) and within(name, other):
                found.append(f'{importer}:{line} imports {name} ({app} and {other} may not import each other)')
    return sorted(set(found))


def production_modules() -> list[Path]:
    """Return every non-test Python module of the package."""
    return sorted(path for path in PACKAGE_ROOT.rglob('*.py') if not is_test_module(path))


def test_no_module_breaks_the_import_rules():
    broken = [
        violation
        for path in production_modules()
        for violation in violations(module_name(path), path.read_text(encoding='utf-8'))
    ]
    assert broken == []


def test_the_walk_sees_the_apps_and_the_http_package():
    names = {module_name(path) for path in production_modules()}
    assert {'edx_exams.apps.api.v1.urls', 'edx_exams.apps.lti.views', 'edx_exams.http.exceptions'} <= names


@pytest.mark.parametrize(
    'importer, source',
    [
        ('edx_exams.apps.lti.acs', 'from edx_exams.apps.core.models import ExamAttempt'),
        ('edx_exams.apps.api.v1.views.exams', 'import edx_exams.apps.core.attempts'),
        ('edx_exams.http.exceptions', 'from edx_exams.apps.core.exceptions import ExamBaseException'),
        ('edx_exams.apps.events.handlers', 'from edx_exams.apps.core import models'),
        ('edx_exams.apps.api.v1.serializers.instructor', 'from edx_exams.apps.lti import api'),
        ('edx_exams.apps.lti.views', 'from edx_exams.apps.api.exceptions import exams_exception_handler'),
        ('edx_exams.apps.lti.urls', 'def routes():\n    from edx_exams.apps.api import routing\n'),
        ('edx_exams.apps.lti.views', 'from ..api.v1 import urls'),
        ('edx_exams.apps.lti.views', 'from ..core.models import Exam'),
    ],
)
def test_a_forbidden_import_is_reported(importer, source):
    assert violations(importer, source)


@pytest.mark.parametrize(
    'importer, source',
    [
        ('edx_exams.apps.lti.acs', 'from edx_exams.apps.core import api'),
        ('edx_exams.apps.lti.acs', 'from edx_exams.apps.core.api import ExamAttempt'),
        ('edx_exams.apps.core.attempts', 'from edx_exams.apps.core.models import ExamAttempt'),
        ('edx_exams.apps.lti.views', 'from edx_exams.http.exceptions import exams_exception_handler'),
        ('edx_exams.apps.api.v1.urls', 'from edx_exams.apps.api.v1.views import exams'),
        ('edx_exams.apps.lti.acs', 'from .models import LtiToolRegistration'),
    ],
)
def test_an_allowed_import_is_not_reported(importer, source):
    assert violations(importer, source) == []
