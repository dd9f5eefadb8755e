from celery import shared_task

from notifications import services


@shared_task
def send_notification(pk):
    return services.notification_send(pk=pk)


@shared_task
def send_notifications(pks):
    """The notifications one transaction queued, in one task (each still claimed and sent on its own)."""
    return services.notifications_send(pks)


@shared_task
def sweep_outbox():
    return services.sweep_outbox()
