"""Django admin of the LTI app: tool registrations, platform keys, sessions and reviews."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponseRedirect

from edx_exams.admin_mixins import ReadOnlyAdminMixin
from edx_exams.apps.lti import api
from edx_exams.apps.lti.models import (
    AssessmentControlRecord,
    LtiPlatformKey,
    LtiProctoringSession,
    LtiToolRegistration,
    ProctoringReview,
)


@admin.register(LtiToolRegistration)
class LtiToolRegistrationAdmin(admin.ModelAdmin):
    """
    Edit proctoring tool registrations through the LTI app's api; register new tools with `manage.py register_lti_tool`.

    The command creates the provider with its registration and prints what the
    tool's operator must configure. A registration is never deleted here: its
    launches, sessions and Assessment Control records would go with it; deactivate
    the provider instead.
    """

    # The model form runs LtiToolRegistration.clean(), the registration rules check_tool_registration applies.
    list_display = ('provider', 'client_id', 'deployment_id', 'launch_url', 'modified')
    list_select_related = ('provider',)
    search_fields = ('provider__name', 'client_id')
    readonly_fields = ('provider', 'created', 'modified')
    formfield_overrides = {models.URLField: {'assume_scheme': 'https'}}

    def has_add_permission(self, request):
        """Refuse adding: `manage.py register_lti_tool` creates the provider and its registration together."""
        return False

    def has_delete_permission(self, request, obj=None):
        """Refuse deleting: it would delete the tool's sessions and control records."""
        return False

    def save_model(self, request, obj, form, change):
        """Save through the LTI app's api, which checks the registration again."""
        api.update_tool_registration(obj)

    def changeform_view(self, request, object_id=None, form_url='', extra_context=None):
        """Show a refusal of the api at save time (after a valid form) as the only message and return to the form."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            self.message_user(request, '; '.join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


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
