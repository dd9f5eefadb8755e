from celery import shared_task

from disclosure import services


@shared_task
def sweep():
    """Hourly: the requests' clocks (overdue, silent third parties, abandoned) and late project reports."""
    return {**services.sweep(), **services.project_reports_sweep()}
