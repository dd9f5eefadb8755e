"""Repeats are the same matter (issue 15, item 7; DOMAIN.md section 6; docs/supervision.md "Repeats")."""
import datetime as dt

import pytest
import time_machine

from dispatch import repeats, services
from lib.errors import DomainError
from petitions.models import EventKind, Kind, Petition, Status
from supervision.models import CaseKind, SupervisionCase
from tests.factories import file_petition

T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # a Monday
ID_1 = "11010519491231002X"


def filed(city, capture, **kw):
    with capture(execute=True):
        petition = file_petition(city, **kw)
    petition.refresh_from_db()
    return petition


def fresh(*petitions):
    for p in petitions:
        p.refresh_from_db()
    return petitions


@pytest.mark.django_db
def test_the_same_id_number_with_another_phone_is_the_same_complainant(city, catalog,
                                                                        django_capture_on_commit_callbacks):
    first = filed(city, django_capture_on_commit_callbacks, complainant_id_number=ID_1)
    second = filed(city, django_capture_on_commit_callbacks, complainant_id_number=ID_1,
                   complainant_phone="13700000001")
    fresh(first, second)
    assert second.repeat_of == first and first.repeat_count == second.repeat_count == 1


@pytest.mark.django_db
def test_the_same_place_and_item_from_another_person_is_not_a_repeat(city, catalog,
                                                                     django_capture_on_commit_callbacks):
    filed(city, django_capture_on_commit_callbacks)
    neighbour = filed(city, django_capture_on_commit_callbacks, complainant_phone="13700000002",
                      complainant_name="李四")
    assert neighbour.repeat_of is None and neighbour.repeat_count == 0


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [Kind.PRAISE, Kind.SUGGESTION, Kind.CONSULTATION])
def test_praise_suggestions_and_consultations_are_never_repeats(city, catalog, kind,
                                                                django_capture_on_commit_callbacks):
    # Three people thanking one street office, and one of them thanking it twice.
    first = filed(city, django_capture_on_commit_callbacks, kind=kind, complainant_phone="13700000003")
    filed(city, django_capture_on_commit_callbacks, kind=kind, complainant_phone="13700000004")
    again = filed(city, django_capture_on_commit_callbacks, kind=kind, complainant_phone="13700000003")
    fresh(first, again)
    assert first.repeat_count == 0 and again.repeat_of is None
    assert not SupervisionCase.objects.filter(kind=CaseKind.REPEAT).exists()


@pytest.mark.django_db
def test_a_complaint_is_not_a_repeat_of_a_praise(city, catalog, django_capture_on_commit_callbacks):
    filed(city, django_capture_on_commit_callbacks, kind=Kind.PRAISE)
    complaint = filed(city, django_capture_on_commit_callbacks)
    assert complaint.repeat_of is None


@pytest.mark.django_db
def test_a_petition_classified_after_intake_is_decided_then(city, catalog, dispatcher,
                                                            django_capture_on_commit_callbacks):
    first = filed(city, django_capture_on_commit_callbacks)
    later = filed(city, django_capture_on_commit_callbacks, classification=None)
    assert later.repeat_of is None  # nothing to compare yet
    with django_capture_on_commit_callbacks(execute=True):
        services.dispatch_classify(petition=later, classification=city.noise, actor=dispatcher, reason="补充分类")
    fresh(first, later)
    assert later.repeat_of == first and first.repeat_count == later.repeat_count == 1


@pytest.mark.django_db
def test_reclassifying_to_another_item_undoes_the_automatic_link(city, catalog, dispatcher,
                                                                 django_capture_on_commit_callbacks):
    first = filed(city, django_capture_on_commit_callbacks)
    later = filed(city, django_capture_on_commit_callbacks)
    assert later.repeat_of == first
    services.dispatch_classify(petition=later, classification=city.parking, actor=dispatcher, reason="分类纠正")
    fresh(first, later)
    assert later.repeat_of is None and first.repeat_count == later.repeat_count == 0
    assert later.events.filter(kind=EventKind.REPEAT_UNLINKED).exists()


@pytest.mark.django_db
def test_every_petition_of_the_chain_carries_its_mark_and_count(city, catalog, client, street_handler,
                                                                django_capture_on_commit_callbacks):
    chain = [filed(city, django_capture_on_commit_callbacks) for _ in range(3)]
    fresh(*chain)
    assert [p.repeat_count for p in chain] == [2, 2, 2]
    assert chain[1].repeat_of == chain[0] and chain[2].repeat_of == chain[0]
    client.force_login(street_handler)
    queue = client.get("/dispatch/").content.decode()
    assert chain[2].number in queue and "×3" in queue
    for member in chain:  # the oldest and the middle one show the same mark as the newest
        lead = member.assignments.get(role="lead")
        detail = client.get(f"/dispatch/a/{lead.pk}/").content.decode()
        assert "同一事项已反映3次" in detail, member.number


@pytest.mark.django_db
def test_the_third_opens_special_supervision_on_the_newest_live_petition(city, catalog,
                                                                         django_capture_on_commit_callbacks):
    with time_machine.travel(T0, tick=False):
        original = filed(city, django_capture_on_commit_callbacks)
    Petition.objects.filter(pk=original.pk).update(status=Status.CLOSED)  # handled and closed long ago
    with time_machine.travel(T0 + dt.timedelta(days=3), tick=False):
        second = filed(city, django_capture_on_commit_callbacks)
    assert not SupervisionCase.objects.filter(kind=CaseKind.REPEAT).exists()  # two is not yet three
    with time_machine.travel(T0 + dt.timedelta(days=5), tick=False):
        third = filed(city, django_capture_on_commit_callbacks)
    case = SupervisionCase.objects.get(kind=CaseKind.REPEAT)
    assert case.object_id == third.pk and case.reference == third.number
    assert case.unit == third.assignments.get(role="lead").unit
    assert case.object_id not in (original.pk, second.pk)


@pytest.mark.django_db
def test_the_special_notice_goes_to_the_unit_handling_the_newest_petition_not_an_earlier_ones(
        city, catalog, django_capture_on_commit_callbacks):
    with time_machine.travel(T0, tick=False):
        filed(city, django_capture_on_commit_callbacks)
    with time_machine.travel(T0 + dt.timedelta(days=3), tick=False):
        filed(city, django_capture_on_commit_callbacks)
    # The third call is about the same noise, reported from the other street: another street office handles it.
    with time_machine.travel(T0 + dt.timedelta(days=5), tick=False):
        third = filed(city, django_capture_on_commit_callbacks, area=city.other_street)
    third_lead = third.assignments.get(role="lead")
    assert third_lead.unit == city.other_street_office
    case = SupervisionCase.objects.get(kind=CaseKind.REPEAT)
    assert (case.object_id, case.unit) == (third.pk, city.other_street_office)


@pytest.mark.django_db
def test_in_confirm_mode_the_special_notice_waits_for_the_confirmed_lead(city, catalog, dispatcher, settings,
                                                                         django_capture_on_commit_callbacks):
    settings.PORTAL_DISPATCH_MODE = "confirm"
    for day in (0, 3):
        with time_machine.travel(T0 + dt.timedelta(days=day), tick=False):
            filed(city, django_capture_on_commit_callbacks)
    with time_machine.travel(T0 + dt.timedelta(days=5), tick=False):
        third = filed(city, django_capture_on_commit_callbacks, area=city.other_street)
    assert not SupervisionCase.objects.filter(kind=CaseKind.REPEAT).exists()  # nobody handles the third yet
    with time_machine.travel(T0 + dt.timedelta(days=5, hours=1), tick=False):
        services.dispatch_confirm(petition=third, actor=dispatcher)
    case = SupervisionCase.objects.get(kind=CaseKind.REPEAT)
    assert (case.object_id, case.unit) == (third.pk, city.other_street_office)


@pytest.mark.django_db
def test_a_dispatcher_links_by_hand_with_a_reason_and_can_undo_it(city, catalog, dispatcher,
                                                                  django_capture_on_commit_callbacks):
    first = filed(city, django_capture_on_commit_callbacks)
    other = filed(city, django_capture_on_commit_callbacks, complainant_phone="13700000005",
                  classification=city.parking)  # another person, another item: no automatic link
    with pytest.raises(DomainError) as refused:
        repeats.repeat_link(petition=other, original=first, actor=dispatcher, reason=" ")
    assert refused.value.field == "reason"
    repeats.repeat_link(petition=other, original=first, actor=dispatcher, reason="同一小区同一商铺，家属代为反映")
    fresh(first, other)
    assert other.repeat_of == first and other.repeat_by_hand and first.repeat_count == 1
    repeats.repeat_unlink(petition=other, actor=dispatcher, reason="核实后为不同商铺")
    fresh(first, other)
    assert other.repeat_of is None and first.repeat_count == 0
    assert other.events.filter(kind=EventKind.REPEAT_UNLINKED, actor=dispatcher).exists()


@pytest.mark.django_db
def test_an_undone_link_stays_undone_when_the_item_is_set_again(city, catalog, dispatcher,
                                                                django_capture_on_commit_callbacks):
    first = filed(city, django_capture_on_commit_callbacks)
    later = filed(city, django_capture_on_commit_callbacks)
    repeats.repeat_unlink(petition=later, actor=dispatcher, reason="来电人说明是另一家商铺")
    services.dispatch_classify(petition=later, classification=city.noise, actor=dispatcher, reason="复核")
    fresh(first, later)
    assert later.repeat_of is None and first.repeat_count == 0


@pytest.mark.django_db
def test_a_praise_cannot_be_linked_by_hand(city, catalog, dispatcher, django_capture_on_commit_callbacks):
    first = filed(city, django_capture_on_commit_callbacks)
    praise = filed(city, django_capture_on_commit_callbacks, kind=Kind.PRAISE)
    with pytest.raises(DomainError):
        repeats.repeat_link(petition=praise, original=first, actor=dispatcher, reason="同一事项")


@pytest.mark.django_db
def test_the_dispatcher_console_links_and_unlinks_by_hand(city, catalog, client, dispatcher,
                                                          django_capture_on_commit_callbacks):
    first = filed(city, django_capture_on_commit_callbacks)
    other = filed(city, django_capture_on_commit_callbacks, complainant_phone="13700000006")
    client.force_login(dispatcher)
    url = f"/admin/dispatch/queuedpetition/{other.pk}/console/"
    page = client.get(url)
    assert page.status_code == 200
    bad = client.post(url + "repeat/", {"original": first.number, "reason": ""})
    assert bad.status_code == 400
    client.post(url + "repeat/", {"original": first.number, "reason": "同一商铺噪音，邻居代为反映"})
    fresh(other)
    assert other.repeat_of == first
    client.post(url + "unrepeat/", {"reason": "核实为不同商铺"})
    fresh(other)
    assert other.repeat_of is None
