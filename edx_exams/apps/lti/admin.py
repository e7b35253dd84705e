"""Django admin of the LTI app: tool registrations, platform keys, sessions and reviews."""

from django.contrib import admin
from django.db import models

from edx_exams.apps.core.admin import ReadOnlyAdminMixin
from edx_exams.apps.lti.models import (
    AssessmentControlRecord,
    LtiPlatformKey,
    LtiProctoringSession,
    LtiToolRegistration,
    ProctoringReview,
)


@admin.register(LtiToolRegistration)
class LtiToolRegistrationAdmin(admin.ModelAdmin):
    """Create and edit proctoring tool registrations (or use `manage.py register_lti_tool`)."""

    list_display = ('provider', 'client_id', 'deployment_id', 'launch_url', 'modified')
    search_fields = ('provider__name', 'client_id')
    raw_id_fields = ('provider',)
    formfield_overrides = {models.URLField: {'assume_scheme': 'https'}}


@admin.register(LtiPlatformKey)
class LtiPlatformKeyAdmin(admin.ModelAdmin):
    """Platform keys, read only: rotate them with `manage.py rotate_lti_keys`."""

    list_display = ('kid', 'created', 'retired_at')
    fields = ('kid', 'public_jwk', 'created', 'retired_at')
    readonly_fields = fields

    def has_add_permission(self, request):
        """Keys are made by the rotate command, never typed in."""
        return False

    def has_change_permission(self, request, obj=None):
        """Keys never change."""
        return False

    def has_delete_permission(self, request, obj=None):
        """Keys are retired by the rotate command; deleting one would break tools that cached it."""
        return False


@admin.register(LtiProctoringSession)
class LtiProctoringSessionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The proctoring session of each attempt, read only: launches create them (session data stored as a digest)."""

    list_display = ('attempt', 'registration', 'issued_at', 'consumed_at', 'end_assessment_return')
    exclude = ('secret_hash',)
    readonly_fields = ('attempt', 'registration', 'public_id', 'issued_at', 'consumed_at', 'verified_user')
    raw_id_fields = ('attempt',)


@admin.register(ProctoringReview)
class ProctoringReviewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The tool's verdict on each attempt, read only: it arrives by the ACS terminate call."""

    list_display = ('attempt', 'action', 'severity', 'reason_code', 'incident_time')
    raw_id_fields = ('attempt',)


@admin.register(AssessmentControlRecord)
class AssessmentControlRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every Assessment Control Service call, read only: records come from tools only."""

    list_display = ('attempt', 'action', 'status_before', 'status_after', 'acs_status', 'created')
    list_filter = ('action', 'acs_status')
    readonly_fields = [field.name for field in AssessmentControlRecord._meta.fields]
