"""Order the outbox per learner and exam (`<user id>:<content id>`) instead of per attempt."""

from django.db import migrations, models


def fill_order_keys(apps, schema_editor):
    """Key existing rows by their attempt's learner and exam; a row whose attempt is gone keeps its own key."""
    OutboxEvent = apps.get_model('events', 'OutboxEvent')
    ExamAttempt = apps.get_model('core', 'ExamAttempt')
    attempt_ids = set(OutboxEvent.objects.values_list('attempt_id', flat=True))
    keys = {
        attempt_id: f'{user_id}:{content_id}'
        for attempt_id, user_id, content_id in ExamAttempt.objects.filter(id__in=attempt_ids).values_list(
            'id', 'user_id', 'exam__content_id'
        )
    }
    for attempt_id in attempt_ids:
        OutboxEvent.objects.filter(attempt_id=attempt_id).update(
            order_key=keys.get(attempt_id, f'attempt:{attempt_id}')
        )


class Migration(migrations.Migration):
    dependencies = [
        ('core', '0004_accommodations_reviews_resets'),
        ('events', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='outboxevent',
            name='order_key',
            field=models.CharField(default='', max_length=300),
            preserve_default=False,
        ),
        migrations.RunPython(fill_order_keys, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='outboxevent',
            index=models.Index(fields=['order_key', 'sent_at'], name='outbox_order_sent'),
        ),
    ]
