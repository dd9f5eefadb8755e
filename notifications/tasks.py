from celery import shared_task

from notifications import services


@shared_task
def send_notification(pk):
    return services.notification_send(pk=pk)


@shared_task
def sweep_outbox():
    return services.sweep_outbox()
