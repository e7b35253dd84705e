"""
Every entry point records who changes data and through what (edx_exams/apps/core/audit.py).

REST and LTI views (their base class), the admin site, Celery tasks and management commands
each enter an audit context; a new view, task or command is covered as soon as it exists.
"""

import importlib.util
from pathlib import Path

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

from edx_exams.admin_site import AuditedAdminSite
from edx_exams.apps.core import api
from edx_exams.celery import AuditedTask
from edx_exams.celery import app as celery_app
from edx_exams.http.views import AuditedAPIView

# Views that change nothing: the CSRF token, health checks and the API documentation.
READ_ONLY_VIEWS = {
    'ExamsCsrfTokenView',
    'HealthView',
    'LivenessView',
    'ReadinessView',
    'ExamsSchemaView',
    'ExamsSwaggerView',
}


def _view_classes(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _view_classes(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            view_class = getattr(pattern.callback, 'cls', None)
            if view_class is not None and issubclass(view_class, APIView):
                yield view_class


def test_every_drf_view_names_its_source_and_actor():
    views = set(_view_classes(get_resolver().url_patterns))
    unaudited = {view.__name__ for view in views if not issubclass(view, AuditedAPIView)}
    assert unaudited == READ_ONLY_VIEWS
    actors = set(api.AuditActor.values)
    for view in views - {view for view in views if view.__name__ in READ_ONLY_VIEWS}:
        assert view.audit_actor in actors, view.__name__
        assert view.audit_source in (api.AuditSource.REST, api.AuditSource.LTI), view.__name__


def test_the_admin_site_is_audited():
    assert isinstance(admin.site, AuditedAdminSite)


def test_every_task_is_audited_and_the_expiry_sweep_names_itself():
    celery_app.loader.import_default_modules()  # the apps' tasks modules, as a worker loads them
    tasks = {name: task for name, task in celery_app.tasks.items() if name.startswith('edx_exams.')}
    assert tasks
    assert all(isinstance(task, AuditedTask) for task in tasks.values())
    assert tasks['edx_exams.apps.core.tasks.expire_overdue_attempts'].audit_actor == api.AuditActor.EXPIRY_SWEEP
    assert tasks['edx_exams.apps.events.tasks.publish_event'].audit_actor == api.AuditActor.SYSTEM


def test_a_task_runs_as_a_task_by_the_system_and_leaves_no_context_behind():
    seen = []

    @celery_app.task(name='edx_exams.tests.record_audit_context')
    def record_audit_context():
        from edx_exams.apps.core.audit import current

        seen.append(current())

    record_audit_context.delay()
    assert (seen[0].source, seen[0].actor) == ('task', 'system')
    from edx_exams.apps.core.audit import Context, current

    assert current() == Context()


def test_management_commands_run_as_a_command_by_the_system(monkeypatch):
    spec = importlib.util.spec_from_file_location('manage', Path(__file__).resolve().parents[2] / 'manage.py')
    manage = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(manage)
    seen = []

    def record(argv):
        from edx_exams.apps.core.audit import current

        seen.append((argv, current()))

    monkeypatch.setattr('django.core.management.execute_from_command_line', record)
    manage.main(['manage.py', 'check'])
    assert seen[0][0] == ['manage.py', 'check']
    assert (seen[0][1].source, seen[0][1].actor) == ('command', 'system')


@pytest.mark.django_db
def test_a_view_leaves_no_context_behind(jwt_client):
    from edx_exams.apps.core.audit import Context, current
    from edx_exams.apps.core.tests.factories import UserFactory

    assert jwt_client.as_user(UserFactory()).get('/api/v1/me').status_code == 200
    assert current() == Context()
