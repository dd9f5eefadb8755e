import pytest

from dispatch import routing
from dispatch.catalog import rule_create
from dispatch.models import Target


@pytest.fixture(autouse=True)
def _fresh_catalog():
    routing.invalidate()
    yield
    routing.invalidate()


@pytest.fixture
def catalog(city):
    """Noise: the street leads (territorial) and urban management joins (sector).
    Parking: urban management only. Heating: the sector's utility. Fallback: the district."""
    rules = {
        "noise_sector": rule_create(key="noise-s", kind="sector", classification=city.noise,
                                             target=Target.UNIT, lead_unit=city.urban),
        "noise_street": rule_create(key="noise-t", kind="territorial", classification=city.noise,
                                             target=Target.STREET),
        "urban_group": rule_create(key="urban-group", kind="sector", classification=city.parking.parent,
                                            target=Target.SECTOR),
        "heating": rule_create(key="heat", kind="sector", classification=city.heating_outage,
                                        target=Target.SECTOR),
        "fallback": rule_create(key="fallback", kind="territorial", target=Target.DISTRICT,
                                         is_fallback=True),
    }
    routing.invalidate()
    return rules
