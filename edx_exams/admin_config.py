"""The Django admin app, with the service's audited site (``admin_site.py``) as ``admin.site``."""

from django.contrib.admin.apps import AdminConfig


class ExamsAdminConfig(AdminConfig):
    """``django.contrib.admin`` whose default site records who changed what (source admin, actor staff)."""

    default_site = 'edx_exams.admin_site.AuditedAdminSite'
