"""The catalog decides: each rule type, inheritance down both trees, the
tie-break, parallel dispatch, fallback and consultation."""
import pytest
from django.utils import translation

from dispatch import routing
from dispatch.catalog import rule_create, rule_revise
from dispatch.models import Target
from org.models import Area, Classification


def decide(city, classification, area=None, text=""):
    routing.invalidate()
    return routing.decide(
        classification_path=classification.path if classification else None,
        area_path=(area or city.street).path, text=text,
        sector_id=classification.sector_id if classification else None,
    )


@pytest.mark.django_db
def test_territorial_and_sector_rules_dispatch_in_parallel(city, catalog):
    d = decide(city, city.noise)
    # Same specificity: the territorial rule leads (属地为主) and the sector unit joins.
    assert d.lead_unit_id == city.street_office.pk
    assert d.co_unit_ids == [city.urban.pk]
    assert d.rule_by_unit == {city.street_office.pk: catalog["noise_street"].pk, city.urban.pk: catalog["noise_sector"].pk}


@pytest.mark.django_db
def test_rule_on_a_parent_item_is_inherited_by_its_leaves(city, catalog):
    d = decide(city, city.parking)  # only the group-level rule matches
    assert (d.lead_unit_id, d.co_unit_ids) == (city.urban.pk, [])


@pytest.mark.django_db
def test_deeper_classification_wins(city, catalog):
    rule_create(key="parking-leaf", classification=city.parking, target=Target.UNIT, lead_unit=city.heating)
    assert decide(city, city.parking).lead_unit_id == city.heating.pk


@pytest.mark.django_db
def test_area_rules_are_inherited_down_the_area_tree(city, catalog):
    rule_create(key="parking-d1", classification=city.parking.parent, area=city.district,
                         target=Target.UNIT, lead_unit=city.district_gov)
    assert decide(city, city.parking, city.community).lead_unit_id == city.district_gov.pk  # community in D1
    assert decide(city, city.parking, city.other_street).lead_unit_id == city.urban.pk  # D2: the general rule


@pytest.mark.django_db
def test_keyword_rule_applies_only_when_the_text_contains_a_keyword(city, catalog):
    rule_create(key="parking-school", classification=city.parking.parent, keywords="学校，幼儿园",
                         target=Target.UNIT, lead_unit=city.district_gov)
    assert decide(city, city.parking, text="学校门口乱停车").lead_unit_id == city.district_gov.pk
    assert decide(city, city.parking, text="小区门口乱停车").lead_unit_id == city.urban.pk


@pytest.mark.django_db
def test_priority_breaks_ties_then_the_newer_rule(city, catalog):
    low = rule_create(key="p-low", classification=city.parking, target=Target.UNIT, lead_unit=city.heating)
    assert decide(city, city.parking).lead_unit_id == city.heating.pk
    rule_create(key="p-high", classification=city.parking, target=Target.UNIT, lead_unit=city.district_gov,
                         priority=5)
    assert decide(city, city.parking).lead_unit_id == city.district_gov.pk
    rule_revise(rule=low, priority=9)
    assert decide(city, city.parking).lead_unit_id == city.heating.pk


@pytest.mark.django_db
def test_sector_target_finds_the_items_sector_unit(city, catalog):
    assert decide(city, city.heating_outage).lead_unit_id == city.heating.pk


@pytest.mark.django_db
def test_fallback_takes_what_nothing_matches(city, catalog):
    d = decide(city, city.property_fee)
    assert d.lead_unit_id == city.urban.pk  # urban group rule still matches the property item
    other_top = Classification.objects.create(code="02", name="发展诉求", top_class="development", tier="7")
    leaf = Classification.objects.create(code="0201", name="营商环境", top_class="development", tier="7", parent=other_top)
    d = decide(city, leaf)
    assert d.lead_unit_id == city.district_gov.pk
    assert "fallback" in " ".join(d.explanation) or "兜底" in " ".join(d.explanation)


@pytest.mark.django_db
def test_no_rule_and_no_fallback_waits_for_a_dispatcher(city):
    d = decide(city, city.parking)
    assert not d.routed and d.lead_unit_id is None


@pytest.mark.django_db
def test_consultation_rule(city, catalog):
    rule_create(key="new-tech", classification=city.parking.parent, keywords="无人机",
                         target=Target.CONSULTATION)
    d = decide(city, city.parking, text="无人机在小区上空拍摄")
    assert d.consultation and d.lead_unit_id is None


@pytest.mark.django_db
def test_street_target_at_district_level_goes_to_the_district_government(city, catalog):
    assert decide(city, city.noise, city.district).lead_unit_id == city.district_gov.pk


@pytest.mark.django_db
def test_street_target_without_an_office_is_skipped_with_a_reason(city, catalog):
    orphan = Area.objects.create(code="D9", name="丙区", level="district", parent=city.city)
    d = decide(city, city.noise, orphan)
    assert d.lead_unit_id == city.urban.pk  # the sector rule still dispatches
    assert any("names no unit" in line or "没有" in line or "无" in line for line in d.explanation)


@pytest.mark.django_db
def test_routing_does_not_query_per_rule(city, catalog, django_assert_num_queries):
    routing.get_catalog()
    with django_assert_num_queries(0):
        for _ in range(50):
            routing.decide(classification_path=city.noise.path, area_path=city.community.path, text="x",
                           sector_id=city.noise.sector_id)


@pytest.mark.django_db
def test_revision_keeps_history(city, catalog):
    old = catalog["noise_sector"]
    new = rule_revise(rule=old, lead_unit=city.heating)
    old.refresh_from_db()
    assert (old.active, old.version, new.version, new.key) == (False, 1, 2, old.key)
    assert old.lead_unit == city.urban and new.lead_unit == city.heating
    assert decide(city, city.noise).co_unit_ids == [city.heating.pk]


@pytest.mark.django_db(transaction=True)
def test_a_unit_switched_off_in_the_admin_gets_no_new_work_at_once(city, catalog, admin_client):
    """Urban management is switched off (merged into another bureau): the noise rule still names it, but the next
    petition goes to the street office alone, without waiting for the routing catalog's minute, and the
    explanation says why; a rule that names only that unit leaves the petition to a dispatcher."""
    routing.get_catalog()  # a worker that has the catalog loaded
    city.urban.is_active = False
    city.urban.save()
    d = routing.decide(classification_path=city.noise.path, area_path=city.street.path, text="",
                       sector_id=city.noise.sector_id)
    assert (d.lead_unit_id, d.co_unit_ids) == (city.street_office.pk, [])
    with translation.override("zh-hans"):  # the explanation's lazy text, read in the site's language
        assert any("停用" in str(line) for line in d.explanation), d.explanation
    parking = routing.decide(classification_path=city.parking.path, area_path=city.street.path, text="",
                             sector_id=city.parking.sector_id)
    assert city.urban.pk not in [parking.lead_unit_id, *parking.co_unit_ids]


def test_a_classification_item_changed_or_deleted_routes_the_next_petition_at_once(city, catalog,
                                                                                  django_capture_on_commit_callbacks):
    """A renamed or moved item (its subtree's codes rewritten) must not be routed by the old tree for the
    catalog's minute: the routing catalog is dropped when the change commits."""
    routing.get_catalog()
    with django_capture_on_commit_callbacks(execute=True):
        city.noise.name = "噪声扰民"
        city.noise.save()
    assert routing._state["catalog"] is None
    routing.get_catalog()
    with django_capture_on_commit_callbacks(execute=True):
        Classification.objects.create(code="010109", name="夜市占道", parent=city.noise.parent, top_class="livelihood",
                                      tier="3").delete()
    assert routing._state["catalog"] is None
