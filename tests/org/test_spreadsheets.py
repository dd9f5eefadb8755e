"""Reference catalogs round-trip through spreadsheets (cities keep them in Excel)."""
import pytest
import tablib

from org.models import Area, Classification, HandlingUnit
from org.resources import AreaResource, ClassificationResource, HandlingUnitResource


@pytest.mark.django_db
def test_areas_export_and_import_by_code(city):
    data = AreaResource().export()
    xlsx = data.export("xlsx")
    loaded = tablib.Dataset().load(xlsx, format="xlsx")
    row = loaded.dict[[r["code"] for r in loaded.dict].index("D1S1")]
    assert row["parent"] == "D1" and row["level"] == "street"
    loaded.append(["D1S2", "甲二街道", "street", "D1", 150000, True])
    result = AreaResource().import_data(loaded, dry_run=False, raise_errors=True)
    assert not result.has_errors()
    new = Area.objects.get(code="D1S2")
    assert new.parent == city.district and new.path == "C1/D1/D1S2/"


@pytest.mark.django_db
def test_units_import_their_areas_by_codes(city):
    data = tablib.Dataset(headers=["code", "name", "kind", "parent", "sector", "areas", "round_the_clock", "phone",
                                   "email", "is_active"])
    data.append(["ST9", "甲九街道办事处", "street_office", "GOV1", "", "D1S1,D1S1C1", False, "", "", True])
    result = HandlingUnitResource().import_data(data, dry_run=False, raise_errors=True)
    assert not result.has_errors()
    unit = HandlingUnit.objects.get(code="ST9")
    assert set(unit.areas.values_list("code", flat=True)) == {"D1S1", "D1S1C1"} and unit.parent == city.district_gov


@pytest.mark.django_db
def test_classification_import_refreshes_leaves_and_reports_bad_rows(city):
    data = tablib.Dataset(headers=["code", "name", "parent", "top_class", "tier", "urgent_hours", "sector", "keywords",
                                   "is_active"])
    data.append(["01010101", "夜间施工噪音", "010102", "livelihood", "1", "", "urban", "夜间施工", True])
    assert not ClassificationResource().import_data(data, dry_run=False).has_errors()
    assert Classification.objects.get(code="010102").is_leaf is False
    assert Classification.objects.get(code="01010101").is_leaf is True
    bad = tablib.Dataset(headers=data.headers)
    bad.append(["X1", "坏数据", "NOPE", "livelihood", "1", "", "", "", True])
    result = ClassificationResource().import_data(bad, dry_run=True)
    assert result.has_errors() or result.has_validation_errors()


@pytest.mark.django_db
def test_imported_rows_pass_the_models_checks(city):
    """The spreadsheet import used to save rows without the model's checks: a unit in a loop, a tree too deep."""
    units = tablib.Dataset(headers=["code", "name", "kind", "parent"])
    units.append(["GOV1", "甲区人民政府", "district_government", "ST1"])  # ST1 sits below GOV1
    result = HandlingUnitResource().import_data(units, dry_run=False)
    assert result.has_validation_errors()
    assert HandlingUnit.objects.get(code="GOV1").parent is None
    items = tablib.Dataset(headers=["code", "name", "parent", "top_class", "tier"])
    parent = "010102"
    for depth in range(Classification.objects.get(code=parent).depth + 1, Classification.MAX_DEPTH + 2):
        items.append([f"Z{depth}", f"层{depth}", parent, "livelihood", "7"])
        parent = f"Z{depth}"
    result = ClassificationResource().import_data(items, dry_run=False)
    assert result.has_validation_errors()
    assert not Classification.objects.filter(depth__gt=Classification.MAX_DEPTH).exists()
