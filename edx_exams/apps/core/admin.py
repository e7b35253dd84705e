"""
Django admin of the core app.

Exams and attempts are read-only here: Studio's publish owns exams, and attempt
statuses change only through `core.api` (the verify and reject actions below).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from edx_exams.admin_mixins import ReadOnlyAdminMixin
from edx_exams.apps.core import api
from edx_exams.apps.core.exceptions import ExamBaseException
from edx_exams.apps.core.models import (
    AttemptReview,
    CourseExamConfiguration,
    CourseStaffRole,
    DueDateExtension,
    Exam,
    ExamAttempt,
    ExamTimeExtension,
    ProctoringProvider,
    StudentAllowance,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Users with their LMS ids."""

    list_display = ('username', 'lms_user_id', 'email', 'full_name', 'is_staff')
    search_fields = ('username', 'email', 'full_name', 'lms_user_id')
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ('LMS', {'fields': ('lms_user_id', 'anonymous_user_id', 'full_name')}),
    )

    def get_readonly_fields(self, request, obj=None):
        """
        Lock the LMS identity of an existing user: attempts, roles and JWT logins find users by it.

        The username of a user the LMS knows (one with an lms_user_id) is locked too:
        the LMS sends it in every JWT, and the JWT login renames users to match it.
        """
        if obj is None:
            return self.readonly_fields
        locked = ('lms_user_id', 'anonymous_user_id')
        if obj.lms_user_id is not None:
            locked = ('username', *locked)
        return (*self.readonly_fields, *locked)

    def has_delete_permission(self, request, obj=None):
        """Refuse deleting (it would erase attempts): retire the user through the retirement API instead."""
        return False


def as_validation_error(error: ExamBaseException) -> ValidationError:
    """Return the refusal of core.api as a form error, shown on the re-rendered form."""
    return ValidationError(error.message)


class ApiRefusalMixin:
    """
    A save that core.api refuses although the form was valid (a concurrent change) shows only its error.

    The api validates in the form's clean() first, so a refusal usually re-renders
    the form with what was typed; this catches the rest. The exception leaves
    Django's change form view before it logs the change or says "added", and the
    view's transaction is rolled back.
    """

    def changeform_view(self, request, object_id=None, form_url='', extra_context=None):
        """Show the refusal of core.api as the only message and return to the same form."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ExamBaseException as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class HistoryAdmin(SimpleHistoryAdmin):
    """
    History pages where reverting to an old version is a change like any other.

    django-simple-history saves a revert with save_model (so through core.api
    where the admin routes saves there) but asks only for the view permission:
    here a revert needs the change permission, and a refusal of core.api shows
    only its error.
    """

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """Refuse a revert (POST) on a page that may not change rows; show the api's refusal as the only message."""
        if request.method == 'POST' and not self.has_change_permission(request):
            raise PermissionDenied
        try:
            return super().history_form_view(request, object_id, version_id, extra_context)
        except ExamBaseException as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(ProctoringProvider)
class ProctoringProviderAdmin(ApiRefusalMixin, HistoryAdmin):
    """LTI proctoring tools; a provider with an org is offered only to that org's courses."""

    list_display = ('name', 'verbose_name', 'org_key', 'lti_configuration_id', 'is_active', 'modified')
    list_filter = ('is_active', 'org_key')
    search_fields = ('name', 'verbose_name', 'org_key', 'lti_configuration_id')
    readonly_fields = ('name', 'lti_configuration_id', 'created', 'modified')
    formfield_overrides = {models.URLField: {'assume_scheme': 'https'}}

    def has_add_permission(self, request):
        """Refuse adding: a provider comes with its LTI registration (manage.py register_lti_tool)."""
        return False

    def has_delete_permission(self, request, obj=None):
        """Refuse deleting: exams and course configurations refer to providers; deactivate one instead."""
        return False

    def save_model(self, request, obj, form, change):
        """Save the changed fields through core.api."""
        changes = {name: form.cleaned_data[name] for name in api.PROVIDER_EDITABLE_FIELDS if name in form.cleaned_data}
        api.update_proctoring_provider(obj.name, changes=changes)


class CourseExamConfigurationAdminForm(forms.ModelForm):
    """A course configuration form that core.api validates (provider offered to the course, escalation email)."""

    class Meta:
        model = CourseExamConfiguration
        fields = ('provider', 'escalation_email', 'allow_opt_out')

    def clean(self):
        """Add core.api's refusal as a form error."""
        cleaned = super().clean()
        if not self.errors:
            provider = cleaned.get('provider')
            try:
                api.validate_course_exam_configuration(
                    self.instance.course_id,
                    provider_name=provider.name if provider else None,
                    escalation_email=cleaned.get('escalation_email'),
                )
            except ExamBaseException as error:
                raise as_validation_error(error) from error
        return cleaned


@admin.register(CourseExamConfiguration)
class CourseExamConfigurationAdmin(ApiRefusalMixin, HistoryAdmin):
    """
    A course's proctoring choices, saved through core.api as Studio's Proctoring settings save them.

    A provider change there also moves the course's active proctored exams to the
    new provider, so the admin never writes the row itself.
    """

    form = CourseExamConfigurationAdminForm
    list_display = ('course_id', 'provider', 'escalation_email', 'allow_opt_out', 'modified')
    list_filter = ('provider', 'allow_opt_out')
    list_select_related = ('provider',)
    search_fields = ('course_id', 'escalation_email')
    readonly_fields = ('course_id', 'created', 'modified')

    def has_add_permission(self, request, obj=None):
        """Refuse adding: configurations are created from the authoring MFE."""
        return False

    def has_delete_permission(self, request, obj=None):
        """Refuse deleting: choosing no provider (through the form) is how a course stops proctoring."""
        return False

    def save_model(self, request, obj, form, change):
        """Save through core.api (a provider change moves the course's exams)."""
        provider = form.cleaned_data.get('provider')
        api.update_course_exam_configuration(
            obj.course_id,
            provider_name=provider.name if provider else None,
            escalation_email=form.cleaned_data.get('escalation_email'),
            allow_opt_out=form.cleaned_data['allow_opt_out'],
        )


@admin.register(Exam)
class ExamAdmin(ReadOnlyAdminMixin, HistoryAdmin):
    """Exams as Studio published them; change them by publishing the course again."""

    list_display = (
        'id',
        'exam_name',
        'course_id',
        'exam_type',
        'provider',
        'time_limit_mins',
        'due_date',
        'is_active',
    )
    list_filter = ('exam_type', 'is_active', 'provider', 'hide_after_due')
    list_select_related = ('provider',)
    search_fields = ('course_id', 'content_id', 'exam_name', 'resource_id')
    readonly_fields = ('is_proctored', 'active_marker', 'resource_id', 'created', 'modified')

    @admin.display(boolean=True, description='proctored')
    def is_proctored(self, exam: Exam) -> bool:
        """Return True for types taken with a proctoring tool."""
        return exam.is_proctored


class AttemptReviewInline(admin.TabularInline):
    """Staff review decisions on an attempt, newest last."""

    model = AttemptReview
    extra = 0
    can_delete = False
    fields = ('created', 'decision', 'reviewer', 'comment')
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        """Refuse adding: reviews are made with the verify and reject actions."""
        return False


def timeline_details(entry: api.TimelineEntry) -> str:
    """Return the fields of a timeline entry's type as one line ("submitted -> verified", "+900 s", ...)."""
    parts = []
    if entry.from_status or entry.to_status:
        parts.append(' -> '.join(status for status in (entry.from_status, entry.to_status) if status))
    if entry.seconds is not None:
        sign = '-' if entry.type == api.EntryType.TIME_REMOVED else '+'
        parts.append(f'{sign}{round(entry.seconds)} s')
    if entry.seconds_remaining is not None:
        parts.append(f'{round(entry.seconds_remaining)} s left')
    if entry.expires_at is not None:
        parts.append(f'deadline {entry.expires_at:%Y-%m-%d %H:%M:%S}')
    if entry.attempt_id is not None:
        parts.append(f'attempt {entry.attempt_id}')
    if entry.decision:
        parts.append(entry.decision + (f': {entry.comment}' if entry.comment else ''))
    return '; '.join(parts) or '-'


@admin.register(ExamAttempt)
class ExamAttemptAdmin(ReadOnlyAdminMixin, HistoryAdmin):
    """Learners' attempts; staff act on them with the verify, reject, reset and resume actions."""

    list_display = (
        'id',
        'user',
        'exam_name',
        'course_id',
        'exam_type',
        'attempt_number',
        'status',
        'start_time',
        'end_time',
        'is_active',
    )
    list_filter = ('status', 'is_active', 'taking_as_proctored', 'exam__exam_type', 'exam__provider')
    list_select_related = ('user', 'exam', 'exam__provider')
    search_fields = ('user__username', 'user__email', 'exam__course_id', 'exam__content_id', 'exam__exam_name')
    readonly_fields = ('course_id', 'exam_type', 'seconds_remaining', 'timeline', 'created', 'modified')
    actions = ('verify_attempts', 'reject_attempts', 'reset_attempts', 'resume_attempts')
    inlines = (AttemptReviewInline,)

    @admin.display(description='timeline')
    def timeline(self, attempt: ExamAttempt) -> str:
        """Return every recorded change of the attempt (core.api's timeline, as the REST endpoint shows it)."""
        entries = api.get_attempt_timeline(attempt)
        body = format_html_join(
            '',
            '<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
            (
                (e.at, e.type, timeline_details(e), e.actor, e.username or '-', e.source, e.reason or '-')
                for e in entries
            ),
        )
        return format_html(
            '<table><tr><th>when</th><th>what</th><th>details</th><th>actor</th><th>user</th><th>source</th>'
            '<th>reason</th></tr>{}</table>',
            body,
        )

    @admin.display(description='exam', ordering='exam__exam_name')
    def exam_name(self, attempt: ExamAttempt) -> str:
        """Return the exam's name."""
        return attempt.exam.exam_name

    @admin.display(description='course', ordering='exam__course_id')
    def course_id(self, attempt: ExamAttempt) -> str:
        """Return the exam's course."""
        return attempt.exam.course_id

    @admin.display(description='type', ordering='exam__exam_type')
    def exam_type(self, attempt: ExamAttempt) -> str:
        """Return the exam's type."""
        return attempt.exam.exam_type

    @admin.display(description='seconds remaining')
    def seconds_remaining(self, attempt: ExamAttempt) -> float | None:
        """Return the learner's time left (None without a limit or due date)."""
        return api.time_remaining_seconds(attempt, now=timezone.now())

    @admin.action(description='Verify the selected attempts (proctoring review passed)')
    def verify_attempts(self, request, queryset):
        """Verify each selected attempt through core.api."""
        self._review(request, queryset, 'verify')

    @admin.action(description='Reject the selected attempts (proctoring review failed)')
    def reject_attempts(self, request, queryset):
        """Reject each selected attempt through core.api."""
        self._review(request, queryset, 'reject')

    @admin.action(description='Reset the selected attempts (the learner may start again; history stays)')
    def reset_attempts(self, request, queryset):
        """Reset each selected attempt through core.api."""
        self._review(request, queryset, 'reset')

    @admin.action(description='Let the learner resume the selected errored attempts with the time left')
    def resume_attempts(self, request, queryset):
        """Mark each selected errored attempt ready to resume through core.api."""
        self._review(request, queryset, 'resume')

    def _review(self, request, queryset, action: str) -> None:
        done, refused = 0, []
        for attempt_id in queryset.values_list('id', flat=True):
            try:
                if action == 'reset':
                    api.reset_exam_attempt(attempt_id, actor=request.user)
                else:
                    api.update_attempt_with_action(attempt_id=attempt_id, action=action, actor=request.user)
                done += 1
            except ExamBaseException as error:
                refused.append(f'{attempt_id}: {error.message}')
        if done:
            self.message_user(request, f'{action}: {done} attempt(s) updated.', messages.SUCCESS)
        if refused:
            self.message_user(request, f'{action} refused for ' + '; '.join(refused), messages.ERROR)


class AccommodationAdminMixin(ApiRefusalMixin):
    """
    Saves and deletes (bulk deletes included) go through core.api, so a running attempt's deadline follows at once.

    The form's clean() asks core.api whether it would accept the row: if not, the
    form comes back with what was typed and the api's error.
    """

    def delete_queryset(self, request, queryset):
        """Delete each selected row through core.api ("Delete selected" on the changelist)."""
        for obj in queryset.select_related('exam'):
            self.delete_model(request, obj)


def allowance_spec_of(*, user: User, exam: Exam, extra_time_mins: int | None, time_multiplier) -> api.AllowanceSpec:
    """Return the core.api request for an allowance as typed in the admin form (a multiplier wins over minutes)."""
    return api.AllowanceSpec(
        exam_id=exam.id,
        username=user.username,
        extra_time_mins=None if time_multiplier else extra_time_mins,
        time_multiplier=time_multiplier or None,
    )


class StudentAllowanceAdminForm(forms.ModelForm):
    """An allowance form that core.api validates before anything is saved."""

    class Meta:
        model = StudentAllowance
        fields = ('user', 'exam', 'extra_time_mins', 'time_multiplier')

    def clean(self):
        """Add core.api's refusal (unknown learner, exam outside its course, amount out of range) as a form error."""
        cleaned = super().clean()
        if not self.errors:
            spec = allowance_spec_of(
                user=cleaned['user'],
                exam=cleaned['exam'],
                extra_time_mins=cleaned.get('extra_time_mins'),
                time_multiplier=cleaned.get('time_multiplier'),
            )
            try:
                api.validate_allowances(cleaned['exam'].course_id, specs=[spec])
            except ExamBaseException as error:
                raise as_validation_error(error) from error
        return cleaned


@admin.register(StudentAllowance)
class StudentAllowanceAdmin(AccommodationAdminMixin, HistoryAdmin):
    """Extra time of learners on exams (saved through core.api, which extends running attempts)."""

    form = StudentAllowanceAdminForm

    def save_model(self, request, obj, form, change):
        """Upsert through core.api (a refusal propagates to changeform_view)."""
        spec = allowance_spec_of(
            user=obj.user, exam=obj.exam, extra_time_mins=obj.extra_time_mins, time_multiplier=obj.time_multiplier
        )
        saved = api.upsert_allowances(obj.exam.course_id, specs=[spec], actor=request.user)
        obj.pk = saved[0].pk

    def delete_model(self, request, obj):
        """Delete through core.api."""
        api.delete_allowance(obj.exam.course_id, allowance_id=obj.pk, actor=request.user)

    list_display = ('id', 'user', 'exam', 'course_id', 'extra_time_mins', 'modified')
    list_filter = ('exam__exam_type',)
    list_select_related = ('user', 'exam')
    search_fields = ('user__username', 'user__email', 'exam__course_id', 'exam__content_id')
    raw_id_fields = ('user', 'exam')
    readonly_fields = ('course_id', 'created', 'modified')

    @admin.display(description='course', ordering='exam__course_id')
    def course_id(self, allowance: StudentAllowance) -> str:
        """Return the exam's course."""
        return allowance.exam.course_id


@admin.register(CourseStaffRole)
class CourseStaffRoleAdmin(admin.ModelAdmin):
    """Course staff roles, from LMS role events or manage.py bulk_add_course_staff; granted and revoked here too."""

    list_display = ('user', 'course_id', 'role', 'created')
    list_filter = ('role',)
    list_select_related = ('user',)
    search_fields = ('user__username', 'user__email', 'course_id')
    raw_id_fields = ('user',)
    readonly_fields = ('created', 'modified')

    def get_readonly_fields(self, request, obj=None):
        """Lock an existing role: it is revoked and granted anew rather than edited in place."""
        return (*self.readonly_fields, 'user', 'course_id', 'role') if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        """Grant the role through core.api, as an LMS role event would."""
        api.grant_course_staff_role(
            obj.user.username, course_id=obj.course_id, role=obj.role, lms_user_id=obj.user.lms_user_id
        )
        obj.pk = CourseStaffRole.objects.get(user=obj.user, course_id=obj.course_id, role=obj.role).pk

    def delete_model(self, request, obj):
        """Revoke the role through core.api."""
        api.revoke_course_staff_role(
            obj.user.username, course_id=obj.course_id, role=obj.role, lms_user_id=obj.user.lms_user_id
        )

    def delete_queryset(self, request, queryset):
        """Revoke each selected role through core.api ("Delete selected")."""
        for obj in queryset.select_related('user'):
            self.delete_model(request, obj)


class DueDateExtensionAdminForm(forms.ModelForm):
    """A due date extension form that core.api validates before anything is saved."""

    class Meta:
        model = DueDateExtension
        fields = ('user', 'exam', 'due_date')

    def clean(self):
        """Add core.api's refusal as a form error."""
        cleaned = super().clean()
        if not self.errors:
            exam, user = cleaned['exam'], cleaned['user']
            try:
                api.validate_due_date_extension(exam.course_id, exam_id=exam.id, username=user.username, email=None)
            except ExamBaseException as error:
                raise as_validation_error(error) from error
        return cleaned


@admin.register(DueDateExtension)
class DueDateExtensionAdmin(AccommodationAdminMixin, HistoryAdmin):
    """Personal due dates (saved through core.api, which moves running deadlines)."""

    form = DueDateExtensionAdminForm

    list_display = ('id', 'user', 'exam', 'due_date', 'granted_by', 'modified')
    list_select_related = ('user', 'exam', 'granted_by')
    search_fields = ('user__username', 'user__email', 'exam__course_id', 'exam__content_id')
    raw_id_fields = ('user', 'exam')
    readonly_fields = ('granted_by', 'created', 'modified')

    def save_model(self, request, obj, form, change):
        """Set the due date through core.api (a refusal propagates to changeform_view)."""
        saved = api.set_due_date_extension(
            obj.exam.course_id,
            exam_id=obj.exam_id,
            username=obj.user.username,
            email=None,
            due_date=obj.due_date,
            actor=request.user,
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        """Delete through core.api."""
        api.delete_due_date_extension(obj.exam.course_id, extension_id=obj.pk, actor=request.user)


@admin.register(AttemptReview)
class AttemptReviewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Staff review decisions, for audit."""

    list_display = ('id', 'attempt', 'decision', 'reviewer', 'created')
    list_filter = ('decision',)
    list_select_related = ('attempt', 'reviewer')
    search_fields = ('attempt__user__username', 'attempt__exam__course_id', 'reviewer__username', 'comment')


@admin.register(ExamTimeExtension)
class ExamTimeExtensionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Exam-wide extensions of running attempts (incident response): the audit record of who, when, why and what."""

    list_display = ('id', 'exam', 'minutes', 'extended_count', 'capped_count', 'granted_by', 'created')
    list_select_related = ('exam', 'granted_by')
    search_fields = ('exam__course_id', 'exam__content_id', 'idempotency_key', 'reason', 'granted_by__username')
    readonly_fields = (
        'exam',
        'granted_by',
        'idempotency_key',
        'minutes',
        'reason',
        'extended_count',
        'capped_count',
        'result',
        'created',
        'modified',
    )
