"""Django admin of the core app."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from edx_exams.apps.core.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Users with their LMS ids."""

    list_display = ('username', 'lms_user_id', 'email', 'full_name', 'is_staff')
    search_fields = ('username', 'email', 'full_name', 'lms_user_id')
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ('LMS', {'fields': ('lms_user_id', 'anonymous_user_id', 'full_name')}),
    )
