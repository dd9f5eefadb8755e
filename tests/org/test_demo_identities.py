"""The demo city passes the identity checks the public forms apply (issue 13): every
complainant's, applicant's, participant's and suggester's phone is a mobile or, for an
operator's intake, a landline, never a hotline; every ID number is a real one."""
import datetime as dt

import pytest
from django.utils import timezone

from disclosure.models import InfoRequest, Signup
from evaluation.models import Candidate, Suggestion
from lib.identity import is_mobile, normalise_id_number, normalise_phone
from petitions.models import Channel, Petition


@pytest.mark.django_db
def test_the_demo_citys_phones_and_id_numbers_pass_the_strict_checks():
    # The demo modules that store people, without the 180 days of history (a few days of it instead).
    from disclosure import demo as disclosure_demo
    from evaluation import history, sanmin_demo
    from org import demo as org_demo
    from petitions import demo as petitions_demo

    org_demo.load()
    petitions_demo.load()
    history.generate(start=timezone.localdate() - dt.timedelta(days=3), days=2, per_day=25)
    disclosure_demo.load()
    sanmin_demo.load()
    petitions = list(Petition.objects.values_list("channel", "complainant_phone", "complainant_id_number"))
    assert petitions
    for channel, phone, id_number in petitions:
        # Only a phone call recorded by an operator may carry a landline.
        assert normalise_phone(phone, mobile_only=channel != Channel.PHONE) == phone
        assert not id_number or normalise_id_number(id_number) == id_number
    public = [*InfoRequest.objects.filter(via=InfoRequest.Via.ONLINE).values_list("applicant_phone", flat=True),
              *Signup.objects.values_list("phone", flat=True), *Suggestion.objects.values_list("phone", flat=True),
              *Candidate.objects.values_list("phone", flat=True)]
    assert public and all(is_mobile(phone) and normalise_phone(phone, mobile_only=True) == phone for phone in public)
