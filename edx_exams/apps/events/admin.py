"""Django admin of the events app: the outbox, to watch pending and failed events and push them."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from edx_exams.apps.events import api
from edx_exams.apps.events.models import OutboxEvent


class DeliveryStateFilter(admin.SimpleListFilter):
    """Pending (not tried yet or in flight), failed (a try failed, waiting for a retry) or sent."""

    title = 'delivery state'
    parameter_name = 'state'

    def lookups(self, request: HttpRequest, model_admin: Any) -> tuple[tuple[str, str], ...]:
        """Return the three states."""
        return (('pending', 'Pending'), ('failed', 'Failed'), ('sent', 'Sent'))

    def queryset(self, request: HttpRequest, queryset: QuerySet[OutboxEvent]) -> QuerySet[OutboxEvent]:
        """Filter by the chosen state."""
        unsent = queryset.filter(sent_at__isnull=True)
        if self.value() == 'pending':
            return unsent.filter(last_error='')
        if self.value() == 'failed':
            return unsent.filter(~Q(last_error=''))
        if self.value() == 'sent':
            return queryset.filter(sent_at__isnull=False)
        return queryset


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    """Read-only view of the outbox with a "publish now" action."""

    list_display = ('id', 'short_type', 'attempt_id', 'created', 'state', 'tries', 'next_try_at', 'sent_at', 'error')
    list_filter = (DeliveryStateFilter, 'event_type')
    search_fields = ('=attempt_id', '=event_id')
    ordering = ('-id',)
    actions = ('publish_now',)
    readonly_fields = [field.name for field in OutboxEvent._meta.fields]

    @admin.display(description='state')
    def state(self, event: OutboxEvent) -> str:
        """Sent, failed or pending."""
        if event.sent_at:
            return 'sent'
        return 'failed' if event.last_error else 'pending'

    @admin.display(description='last error')
    def error(self, event: OutboxEvent) -> str:
        """Return the start of the last error."""
        return event.last_error[:120]

    @admin.action(description='Publish now (with earlier unsent events of the same attempts)')
    def publish_now(self, request: HttpRequest, queryset: QuerySet[OutboxEvent]) -> None:
        """Publish the selected events' attempts in order, ignoring their backoff."""
        attempt_ids = sorted(set(queryset.filter(sent_at__isnull=True).values_list('attempt_id', flat=True)))
        sent = sum(api.publish_attempt_events(attempt_id) for attempt_id in attempt_ids)
        level = messages.SUCCESS if sent else messages.WARNING
        self.message_user(request, f'{sent} event(s) published for {len(attempt_ids)} attempt(s).', level)

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Events are written by attempt transitions only."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutboxEvent | None = None) -> bool:
        """Refuse edits: the outbox is read-only; use the action to publish."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: OutboxEvent | None = None) -> bool:
        """Refuse deletes: an unsent event would be lost; sent ones are pruned by the prune task."""
        return False
