"""The look-back page (回头看) as a district platform uses it: each sample has its own form, so a finding typed for
one never appears under another (where one click would reopen the wrong petition), a refused finding shows on
its field with what was typed kept, and a confidential petition's title is shown redacted to a district platform
(it is not the hotline platform: petitions/privacy.py)."""
import pytest
from django.urls import reverse
from django.utils import timezone

from dispatch.models import LookbackSample
from petitions.models import Status
from supervision.models import SupervisionCase
from tests.factories import file_petition, make_user

URL = reverse("dispatch:supervision_lookback")


@pytest.fixture
def samples(city):
    first = file_petition(city, title="小区门口违建一直没拆", complainant_phone="13600000001")
    secret = file_petition(city, title="我叫王建国，身份证370202198001011234，电话13912345678，举报邻居私搭乱建",
                           complainant_phone="13912345678", confidential=True)
    month = timezone.localdate().replace(day=1)
    return [LookbackSample.objects.create(month=month, petition=p, drawn_at=timezone.now()) for p in (first, secret)]


@pytest.fixture
def district_platform(city):
    return make_user("d1_platform", "district_supervisor", city.district_gov)


@pytest.mark.django_db
def test_a_confidential_title_is_redacted_for_a_district_platform(client, samples, district_platform):
    client.force_login(district_platform)
    page = client.get(URL).content.decode()
    assert samples[1].petition.number in page
    for secret in ("13912345678", "370202198001011234", "王建国"):
        assert secret not in page
    assert "小区门口违建一直没拆" in page  # an ordinary title is shown as it is


@pytest.mark.django_db
def test_a_refused_finding_stays_under_its_own_sample_only_with_the_error_on_its_field(client, samples,
                                                                                       district_platform):
    client.force_login(district_platform)
    first, other = samples
    answer = client.post(URL, {"sample": first.pk, f"s{first.pk}-false_closure": "yes", f"s{first.pk}-note": "没修好"})
    assert answer.status_code == 400
    page = answer.content.decode()
    assert page.count("没修好") == 1  # kept where it was typed, and nowhere else
    forms = {s.pk: s.form for s in answer.context["samples"]}
    assert forms[first.pk].errors["note"]  # on its field
    assert 'id="id_s%d-note"' % first.pk in page and 'aria-invalid="true"' in page
    assert not forms[other.pk].is_bound  # the other sample's form is blank
    assert page.count(" checked") == 1  # only the sample it was chosen for has "false closure" chosen
    first.refresh_from_db()
    first.petition.refresh_from_db()
    assert first.result == LookbackSample.Result.PENDING and not SupervisionCase.objects.exists()


@pytest.mark.django_db
def test_a_finding_is_recorded_for_the_sample_it_was_typed_for(client, samples, district_platform):
    client.force_login(district_platform)
    first, other = samples
    answer = client.post(URL, {"sample": other.pk, f"s{other.pk}-false_closure": "no",
                               f"s{other.pk}-note": "电话回访，群众表示问题已解决"})
    assert answer.status_code == 302
    first.refresh_from_db()
    other.refresh_from_db()
    assert other.result == LookbackSample.Result.CONFIRMED and first.result == LookbackSample.Result.PENDING
    assert other.petition.status != Status.IN_PROGRESS


@pytest.mark.django_db
def test_a_malformed_sample_is_not_found_not_a_crash(client, samples, district_platform):
    client.force_login(district_platform)
    assert client.post(URL, {"sample": "abc"}).status_code == 404
