from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = _("Petitions")

    def ready(self):
        # Imported here: models cannot load before the app registry is ready.
        from notifications.signals import outbox_searched
        from org.models import Area, Classification
        from petitions.forms import choices_invalidate
        from petitions.services import outbox_search_record

        # A search of the outbox looks at the citizens' phones: recorded with the other looks at personal data.
        outbox_searched.connect(outbox_search_record, dispatch_uid="petitions.access.outbox_search")

        # The intake form's option lists are drawn once per version of the areas and the classification.
        for model in (Area, Classification):
            post_save.connect(choices_invalidate, sender=model, dispatch_uid=f"petitions.choices.{model.__name__}")
            post_delete.connect(choices_invalidate, sender=model, dispatch_uid=f"petitions.choices.del.{model.__name__}")
