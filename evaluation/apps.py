from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self):
        # Imported here: models cannot load before the app registry is ready.
        from dispatch.models import ReturnRequest
        from evaluation.aggregates import on_petition_status_changed, on_return_decided
        from evaluation.snapshots import on_rating_saved
        from petitions.models import Rating
        from petitions.signals import petition_status_changed

        # A rating dated before a stored snapshot of its period drops that snapshot (evaluation.aggregates).
        post_save.connect(on_rating_saved, sender=Rating, dispatch_uid="evaluation.snapshots.rating")
        # A return asked for by the limit and approved after it leaves that day's response figures (aggregates).
        post_save.connect(on_return_decided, sender=ReturnRequest, dispatch_uid="evaluation.aggregates.return")
        # A petition merged or routed out leaves the count of the day it was received, however long ago (aggregates).
        petition_status_changed.connect(on_petition_status_changed, dispatch_uid="evaluation.aggregates.status")
