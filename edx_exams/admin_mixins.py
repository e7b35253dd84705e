"""Admin building blocks shared by the apps (no app imports another's admin module)."""


class ReadOnlyAdminMixin:
    """No adding, editing or deleting: the rows are owned by another flow; history stays visible."""

    def has_add_permission(self, request, obj=None):
        """Refuse adding."""
        return False

    def has_change_permission(self, request, obj=None):
        """Refuse editing (the change page becomes a view page)."""
        return False

    def has_delete_permission(self, request, obj=None):
        """Refuse deleting (it would cascade to attempts)."""
        return False
