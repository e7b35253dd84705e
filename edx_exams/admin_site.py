"""
The Django admin site of the service: every change made through it is recorded as staff's, from the admin.

Each admin view (attempt actions, allowance and due date edits, history reverts, every app's
pages) runs inside an audit context naming the source ``admin``, the actor ``staff`` and the
signed-in user, so the history rows it writes say who changed what (``core/audit.py``).
"""

from functools import wraps

from django.contrib import admin

from edx_exams.apps.core import api


class AuditedAdminSite(admin.AdminSite):
    """The default admin site, whose views record their changes as staff's from the admin."""

    def admin_view(self, view, cacheable=False):
        """Wrap `view` as Django does (login required, CSRF), inside the admin's audit context."""
        protected = super().admin_view(view, cacheable)

        @wraps(protected)
        def audited(request, *args, **kwargs):
            with api.acting(source=api.AuditSource.ADMIN, actor=api.AuditActor.STAFF, user=request.user):
                return protected(request, *args, **kwargs)

        return audited
