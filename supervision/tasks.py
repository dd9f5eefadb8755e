from celery import shared_task

from supervision import services


@shared_task
def sweep_escalations():
    return services.sweep_escalations()
