"""An answer's files belong to that answer (Reply.attachments) and reach the citizen only once the platform
approved it (Attachment.published_at; 一个门出). Existing answer files are linked to the answer sent with them
(same petition, same person, the last answer
submitted in the minute before the file was stored: the answer's time is taken before its files are written) and published where that answer was approved; a co-unit's
files and those of an answer sent back stay with the staff."""
import datetime as dt

from django.db import migrations, models

WINDOW = dt.timedelta(minutes=1)


def link_and_publish(apps, schema_editor):
    Attachment = apps.get_model("petitions", "Attachment")
    Reply = apps.get_model("dispatch", "Reply")
    for attachment in Attachment.objects.filter(purpose="answer").iterator(chunk_size=2000):
        reply = (Reply.objects.filter(petition_id=attachment.petition_id, submitted_by_id=attachment.uploaded_by_id,
                                      submitted_at__gte=attachment.uploaded_at - WINDOW,
                                      submitted_at__lte=attachment.uploaded_at)
                 .order_by("-submitted_at").first())
        if reply is None:
            continue  # a co-unit's file: it went to the lead, never to the citizen
        reply.attachments.add(attachment)
        if reply.review == "approved":
            Attachment.objects.filter(pk=attachment.pk).update(published_at=reply.reviewed_at)


class Migration(migrations.Migration):

    dependencies = [
        ('dispatch', '0010_requests_withdrawn'),
        ('petitions', '0018_answer_files'),
    ]

    operations = [
        migrations.AddField(
            model_name='reply',
            name='attachments',
            field=models.ManyToManyField(blank=True, related_name='replies', to='petitions.attachment',
                                         verbose_name='files'),
        ),
        migrations.RunPython(link_and_publish, migrations.RunPython.noop),
    ]
