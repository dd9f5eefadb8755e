"""The admin's list of classification leaves the catalog does not route (catalog rules → Unrouted items)."""
import pytest

from dispatch import routing, services

from dispatch import catalog as dispatch_catalog
from dispatch.models import Target
from dispatch.selectors import unrouted_leaves
from org.models import Classification


@pytest.mark.django_db
def test_leaves_no_rule_routes_are_listed_until_a_rule_covers_them(client, city, platform_admin):
    leaves = set(Classification.objects.filter(is_leaf=True).values_list("code", flat=True))
    assert {leaf.code for leaf in unrouted_leaves()} == leaves
    client.force_login(platform_admin)
    page = client.get("/admin/dispatch/catalogrule/unrouted/").content.decode()
    assert city.noise.name in page and city.heating_outage.name in page

    # A sector rule on the urban-management group covers its leaves (the sector has a city unit) ...
    dispatch_catalog.rule_create(key="urban", kind="sector", classification=city.parking.parent, target=Target.SECTOR)
    routing.invalidate()
    assert city.noise.code not in {leaf.code for leaf in unrouted_leaves()}
    # ... and the territorial fallback covers the rest.
    dispatch_catalog.rule_create(key="fallback", kind="territorial", target=Target.DISTRICT, is_fallback=True)
    routing.invalidate()
    assert unrouted_leaves() == []
    page = client.get("/admin/dispatch/catalogrule/unrouted/").content.decode()
    assert city.noise.name not in page and "所有启用的末级事项都已被派单目录覆盖" in page


@pytest.mark.django_db
def test_the_unrouted_page_is_for_those_who_may_see_the_catalog(client, city, urban_handler):
    client.force_login(urban_handler)
    assert client.get("/admin/dispatch/catalogrule/unrouted/").status_code in (302, 403)
