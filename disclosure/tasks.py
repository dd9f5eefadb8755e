from celery import shared_task

from disclosure import services


@shared_task
def sweep():
    return services.sweep()
