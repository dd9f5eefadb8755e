"""The 110 transfers' submission tokens, once computable from the incident number (a uuid5 in a namespace written
in the source), are replaced by the keyed ones of channels.services.police_token."""
import hashlib
import hmac
import uuid

from django.conf import settings
from django.db import migrations


def rekey(apps, schema_editor):
    PoliceTransfer = apps.get_model("channels", "PoliceTransfer")
    Petition = apps.get_model("petitions", "Petition")
    for petition_id, number in PoliceTransfer.objects.values_list("petition_id", "incident_number").iterator():
        digest = hmac.new(settings.SECRET_KEY.encode(), f"110:{number}".encode(), hashlib.sha256).digest()
        Petition.objects.filter(pk=petition_id).update(submission_token=uuid.UUID(bytes=digest[:16], version=4))


class Migration(migrations.Migration):
    dependencies = [("channels", "0002_labels"), ("petitions", "0017_cheaper_bigrams")]
    operations = [migrations.RunPython(rekey, migrations.RunPython.noop)]
