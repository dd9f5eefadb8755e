"""Who may open what: a role × page/API matrix, and a role × admin model × action
matrix (changelist, add, change, delete, spreadsheet import and export), checked on
every cell. Roles: anonymous, operator, dispatcher, supervisor, inspector (a
supervisor-role account of the government inspection office, 督查室), the 三民
campaign's organiser (a supervisor-role account named on the campaign), unit handler,
platform admin, a district platform's supervisor (区级平台, scoped to its district), and open government's
officers and head of one body and an officer of another body (issue 19: each sees only its own body's
information requests; the head alone approves an extension)."""
import datetime as dt

import pytest
from django.contrib import admin
from rest_framework.authtoken.models import Token

from disclosure import services as disclosure_services
from disclosure.models import Body
from dispatch import routing
from dispatch.catalog import rule_create
from dispatch.models import Role, Target
from evaluation.models import Campaign, Candidate
from petitions.services import apikey_issue
from tests.factories import file_petition, make_user

OK, DENIED, LOGIN, NOT_FOUND, UNAUTH = 200, 403, 302, 404, 401

# url -> expected status per role
MATRIX = {
    "/admin/petitions/petition/":            {"anon": LOGIN, "operator": OK, "dispatcher": OK, "supervisor": OK, "handler": LOGIN, "admin": OK, "district": LOGIN},
    "/admin/petitions/petition/add/":        {"anon": LOGIN, "operator": OK, "dispatcher": OK, "supervisor": DENIED, "handler": LOGIN, "admin": OK, "district": LOGIN},
    "/admin/dispatch/queuedpetition/":       {"anon": LOGIN, "operator": DENIED, "dispatcher": OK, "supervisor": OK, "handler": LOGIN, "admin": OK, "district": LOGIN},
    "/admin/dispatch/catalogrule/":          {"anon": LOGIN, "operator": DENIED, "dispatcher": OK, "supervisor": OK, "handler": LOGIN, "admin": OK, "district": LOGIN},
    "/admin/dispatch/catalogrule/import/":   {"anon": LOGIN, "operator": DENIED, "dispatcher": DENIED, "supervisor": DENIED, "handler": LOGIN, "admin": OK, "district": LOGIN},
    "/admin/dispatch/catalogrule/export/":   {"anon": LOGIN, "operator": DENIED, "dispatcher": DENIED, "supervisor": DENIED, "handler": LOGIN, "admin": OK, "district": LOGIN},
    "/admin/dispatch/catalogrule/dry-run/":  {"anon": LOGIN, "operator": DENIED, "dispatcher": OK, "supervisor": OK, "handler": LOGIN, "admin": OK, "district": LOGIN},
    "/admin/petitions/apikey/add/":          {"anon": LOGIN, "operator": DENIED, "dispatcher": DENIED, "supervisor": DENIED, "handler": LOGIN, "admin": OK, "district": LOGIN},
    "/admin/org/user/":                      {"anon": LOGIN, "operator": DENIED, "dispatcher": DENIED, "supervisor": DENIED, "handler": LOGIN, "admin": OK, "district": LOGIN},
    "/admin/org/classification/":            {"anon": LOGIN, "operator": OK, "dispatcher": OK, "supervisor": OK, "handler": LOGIN, "admin": OK, "district": LOGIN},
    "/dispatch/":                            {"anon": LOGIN, "operator": DENIED, "dispatcher": DENIED, "supervisor": DENIED, "handler": OK, "admin": DENIED, "district": DENIED},
    "/dispatch/a/{own}/":                    {"anon": LOGIN, "operator": DENIED, "dispatcher": DENIED, "supervisor": DENIED, "handler": OK, "admin": DENIED, "district": DENIED},
    "/dispatch/a/{other}/":                  {"anon": LOGIN, "operator": DENIED, "dispatcher": DENIED, "supervisor": DENIED, "handler": NOT_FOUND, "admin": DENIED, "district": DENIED},
    "/dispatch/export.xlsx":                 {"anon": LOGIN, "operator": DENIED, "dispatcher": DENIED, "supervisor": DENIED, "handler": OK, "admin": DENIED, "district": DENIED},
    "/dispatch/supervision/export.xlsx":     {"anon": LOGIN, "operator": DENIED, "dispatcher": OK, "supervisor": OK, "handler": DENIED, "admin": OK, "district": OK},
    "/dispatch/supervision/":                {"anon": LOGIN, "operator": DENIED, "dispatcher": OK, "supervisor": OK, "handler": DENIED, "admin": OK, "district": OK},
    "/evaluation/":                          {"anon": LOGIN, "operator": DENIED, "dispatcher": OK, "supervisor": OK, "handler": DENIED, "admin": OK, "district": DENIED},
    "/petitions/attachments/{attachment}/":  {"anon": LOGIN, "operator": OK, "dispatcher": OK, "supervisor": OK, "handler": NOT_FOUND, "admin": OK, "district": NOT_FOUND},
    "/api/v1/assignments/":                  {"anon": UNAUTH, "operator": DENIED, "dispatcher": DENIED, "supervisor": DENIED, "handler": OK, "admin": DENIED, "district": DENIED},
    "/api/v1/assignments/{other}/":          {"anon": UNAUTH, "operator": DENIED, "dispatcher": DENIED, "supervisor": DENIED, "handler": NOT_FOUND, "admin": DENIED, "district": DENIED},
    "/api/v1/dispatch/petitions/":           {"anon": UNAUTH, "operator": DENIED, "dispatcher": OK, "supervisor": DENIED, "handler": DENIED, "admin": OK, "district": DENIED},
    "/api/v1/supervision/cases/":            {"anon": UNAUTH, "operator": DENIED, "dispatcher": OK, "supervisor": OK, "handler": DENIED, "admin": OK, "district": DENIED},
    "/api/v1/metrics/?first=2026-01-01&last=2026-01-31": {"anon": UNAUTH, "operator": DENIED, "dispatcher": OK, "supervisor": OK, "handler": DENIED, "admin": OK, "district": DENIED},
    "/admin/channels/source/":               {"anon": LOGIN, "operator": DENIED, "dispatcher": DENIED, "supervisor": DENIED, "handler": LOGIN, "admin": OK, "district": LOGIN},
    "/channels/grid/":                       {"anon": LOGIN, "operator": DENIED, "dispatcher": DENIED, "supervisor": DENIED, "handler": DENIED, "admin": DENIED, "district": DENIED},
    "/channels/grid/new/":                   {"anon": LOGIN, "operator": DENIED, "dispatcher": DENIED, "supervisor": DENIED, "handler": DENIED, "admin": DENIED, "district": DENIED},
    # Clocks (issue 15): units' stops past the cap await the platform; a district platform reads only its own
    # district's petitions; the operator's callback page (a failed call counts towards "could not be reached").
    "/dispatch/supervision/pauses/":         {"anon": LOGIN, "operator": DENIED, "dispatcher": OK, "supervisor": OK, "handler": DENIED, "admin": OK, "district": OK},
    "/dispatch/supervision/petition/{own_petition}/": {"anon": LOGIN, "operator": DENIED, "dispatcher": OK, "supervisor": OK, "handler": DENIED, "admin": OK, "district": OK},
    "/dispatch/supervision/petition/{other_petition}/": {"anon": LOGIN, "operator": DENIED, "dispatcher": OK, "supervisor": OK, "handler": DENIED, "admin": OK, "district": NOT_FOUND},
    "/admin/petitions/petition/{own_petition}/callback/": {"anon": LOGIN, "operator": OK, "dispatcher": OK, "supervisor": DENIED, "handler": LOGIN, "admin": OK, "district": LOGIN},
    "/":                                     {"anon": OK, "operator": OK, "dispatcher": OK, "supervisor": OK, "handler": OK, "admin": OK, "district": OK},
    "/knowledge/":                           {"anon": OK, "operator": OK, "dispatcher": OK, "supervisor": OK, "handler": OK, "admin": OK, "district": OK, "officer": OK, "head": OK, "officer_other": OK},
    "/admin/disclosure/inforequest/":        {"anon": LOGIN, "operator": DENIED, "dispatcher": DENIED, "supervisor": OK, "handler": LOGIN, "admin": OK, "officer": OK, "head": OK, "officer_other": OK, "district": LOGIN},
    "/admin/disclosure/inforequest/record/": {"anon": LOGIN, "operator": DENIED, "dispatcher": DENIED, "supervisor": DENIED, "handler": LOGIN, "admin": OK, "officer": OK, "head": OK, "officer_other": OK, "district": LOGIN},
    "/admin/disclosure/inforequest/{request}/change/": {"anon": LOGIN, "operator": DENIED, "dispatcher": DENIED, "supervisor": OK, "handler": LOGIN, "admin": OK, "officer": OK, "head": OK, "officer_other": LOGIN, "district": LOGIN},
    "/admin/disclosure/inforequest/{request}/act/answer/": {"anon": LOGIN, "operator": NOT_FOUND, "dispatcher": NOT_FOUND, "supervisor": DENIED, "handler": LOGIN, "admin": OK, "officer": OK, "head": OK, "officer_other": NOT_FOUND, "district": LOGIN},
    "/admin/disclosure/inforequest/{request}/act/extend_approve/": {"anon": LOGIN, "operator": NOT_FOUND, "dispatcher": NOT_FOUND, "supervisor": DENIED, "handler": LOGIN, "admin": DENIED, "officer": DENIED, "head": OK, "officer_other": NOT_FOUND, "district": LOGIN},
    "/admin/disclosure/inforequest/{request}/notice/receipt.pdf": {"anon": LOGIN, "operator": NOT_FOUND, "dispatcher": NOT_FOUND, "supervisor": OK, "handler": LOGIN, "admin": OK, "officer": OK, "head": OK, "officer_other": NOT_FOUND, "district": LOGIN},
    "/disclosure/report/2026/":              {"anon": LOGIN, "operator": OK, "dispatcher": OK, "supervisor": OK, "handler": LOGIN, "admin": OK, "officer": OK, "head": OK, "officer_other": OK, "district": LOGIN},
    "/disclosure/unit/projects/":            {"anon": LOGIN, "operator": OK, "dispatcher": OK, "supervisor": OK, "handler": OK, "admin": OK, "officer": OK, "head": OK, "officer_other": OK, "district": OK},
    # The operator's console and its queues and search: operators and platform admins only (docs/intake.md).
    "/hotline/":                             {"anon": LOGIN, "operator": OK, "dispatcher": DENIED, "supervisor": DENIED, "handler": DENIED, "admin": OK, "district": DENIED, "officer": DENIED, "head": DENIED, "officer_other": DENIED},
    "/hotline/queues/":                      {"anon": LOGIN, "operator": OK, "dispatcher": DENIED, "supervisor": DENIED, "handler": DENIED, "admin": OK, "district": DENIED, "officer": DENIED, "head": DENIED, "officer_other": DENIED},
    "/hotline/search/?name=王小明":            {"anon": LOGIN, "operator": OK, "dispatcher": DENIED, "supervisor": DENIED, "handler": DENIED, "admin": OK, "district": DENIED, "officer": DENIED, "head": DENIED, "officer_other": DENIED},
    "/hotline/classifications/?q=zy":        {"anon": LOGIN, "operator": OK, "dispatcher": DENIED, "supervisor": DENIED, "handler": DENIED, "admin": OK, "district": DENIED, "officer": DENIED, "head": DENIED, "officer_other": DENIED},
    "/hotline/areas/?q=jy":                  {"anon": LOGIN, "operator": OK, "dispatcher": DENIED, "supervisor": DENIED, "handler": DENIED, "admin": OK, "district": DENIED, "officer": DENIED, "head": DENIED, "officer_other": DENIED},
}


@pytest.fixture
def world(city, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from petitions.services import attachment_clean, attachments_add
    from tests.petitions.test_citizen_form import jpeg_with_gps

    rule_create(key="noise-t", kind="territorial", classification=city.noise, target=Target.STREET)
    routing.invalidate()
    with django_capture_on_commit_callbacks(execute=True):
        own = file_petition(city)
        other = file_petition(city, area=city.other_street, complainant_phone="13600000000")
    [attachment] = attachments_add(petition=other, actor=None, purpose="petition",
                                   uploads=[attachment_clean(SimpleUploadedFile("a.jpg", jpeg_with_gps()))])
    users = {
        "operator": make_user("m_operator", "operator", city.platform),
        "dispatcher": make_user("m_dispatcher", "dispatcher", city.platform),
        "supervisor": make_user("m_supervisor", "supervisor", city.platform),
        "handler": make_user("m_handler", "unit_handler", city.street_office),
        "admin": make_user("m_admin", "admin", city.platform),
        "inspector": make_user("m_inspector", "supervisor", city.platform),
        "organiser": make_user("m_organiser", "supervisor", city.platform),
        # A district platform's supervisor ("1 + 10"): the district government of 甲区 (own's district).
        "district": make_user("m_district", "district_supervisor", city.district_gov),
    }
    ids = {"own": own.assignments.get(role=Role.LEAD).pk, "other": other.assignments.get(role=Role.LEAD).pk,
           "attachment": attachment.pk, "own_petition": own.pk, "other_petition": other.pk}
    campaign = Campaign.objects.create(
        year=2026, title="2026三民", suggestions_open=dt.date(2026, 11, 1), suggestions_close=dt.date(2026, 12, 10),
        reports_start=dt.date(2026, 12, 14), reports_end=dt.date(2026, 12, 17),
        voting_opens_at=dt.datetime(2026, 12, 20, 1, tzinfo=dt.UTC), voting_closes_at=dt.datetime(2026, 12, 25, 1, tzinfo=dt.UTC),
        organiser=users["organiser"])
    Candidate.objects.create(campaign=campaign, external_id="P1", name="市民甲", phone="13900000001",
                             district=city.district, sector="社区居民")
    apikey_issue(name="区热线")
    # Open government: two bodies, an officer and the head of the first, an officer of the second.
    urban = Body.objects.create(unit=city.urban)
    district = Body.objects.create(unit=city.district_gov)
    users.update(officer=make_user("m_officer", "disclosure_officer", city.urban),
                 head=make_user("m_head", "disclosure_head", city.urban),
                 officer_other=make_user("m_officer_other", "disclosure_officer", district.unit))
    ids["request"] = disclosure_services.request_submit(applicant_name="张三", applicant_phone="13900000001",
                                                        body=urban, description="请公开某项目的审批材料").pk
    return users, ids


ROLES = ["anon", "operator", "dispatcher", "supervisor", "inspector", "organiser", "handler", "admin", "district",
         "officer", "head", "officer_other"]
OFFICE_ROLES = ("officer", "head", "officer_other")
# The inspector and the organiser hold the supervisor role: every page answers them as it answers a supervisor.
SAME_AS = {"inspector": "supervisor", "organiser": "supervisor"}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_access(client, world, role):
    """One role, every cell of its column; the failure lists every wrong cell."""
    users, ids = world
    wrong = []
    if role != "anon":
        client.force_login(users[role])
        token, _ = Token.objects.get_or_create(user=users[role])
    for url, row in MATRIX.items():
        path = url.format(**ids)
        headers = {"HTTP_AUTHORIZATION": f"Token {token.key}"} if role != "anon" and path.startswith("/api/") else {}
        status = client.get(path, **headers).status_code
        if role in OFFICE_ROLES and role not in row:
            expected = _office_default(path)
        else:
            expected = row[SAME_AS.get(role, role)]
        if status != expected:
            wrong.append(f"{path}: {status}, expected {expected}")
    assert not wrong, "\n".join(wrong)


def _office_default(path: str) -> int:
    """Rows written before the open-government roles: officers and heads are staff holding nothing there (403
    in the admin and on the staff pages), and see what everyone sees."""
    if path == "/":
        return OK
    if path.startswith("/api/"):
        return DENIED
    if path.startswith("/petitions/attachments/"):
        return NOT_FOUND  # like any staff account without the petition permissions
    return DENIED


# --- The admin: role × model × action -------------------------------------------------------------------
# Letters: v view (changelist, read-only change form), a add, c change, d delete, i spreadsheet import,
# e spreadsheet export. A role not named for a model has none; anonymous users and unit handlers are sent
# to the login page everywhere (they are not staff). Every model in the admin must be listed here.
STAFF = ["operator", "dispatcher", "supervisor", "inspector", "organiser", "admin", "officer", "head"]
OFFICERS = {"officer": "v", "head": "v"}
WATCHERS = {"supervisor": "v", "inspector": "v", "organiser": "v"}
REFERENCE = {"operator": "v", "dispatcher": "v", **WATCHERS, "admin": "vacdie"}
ADMIN = {
    "org.area": REFERENCE,
    "org.sector": REFERENCE,
    "org.handlingunit": REFERENCE,
    "org.classification": REFERENCE,
    "org.calendarday": REFERENCE,
    "org.calendaryear": {"operator": "v", "dispatcher": "v", **WATCHERS, "admin": "vacd"},
    "org.user": {"admin": "vacd"},
    # The operators' intake; no one deletes a petition.
    "petitions.petition": {"operator": "vac", "dispatcher": "vac", **WATCHERS, "admin": "vac"},
    # Integrators' keys: issued and revoked by platform admins only; never edited or deleted.
    "petitions.apikey": {"admin": "va"},
    # The catalog: maintained (and imported/exported) by platform admins; dispatchers read it. Versions are retired,
    # not deleted.
    "dispatch.catalogrule": {"dispatcher": "v", **WATCHERS, "admin": "vacie"},
    "dispatch.assignment": {"dispatcher": "v", **WATCHERS, "admin": "v"},
    "dispatch.perfunctoryphrase": {"admin": "vacd"},
    "dispatch.queuedpetition": {"dispatcher": "v", **WATCHERS, "admin": "v"},
    "evaluation.report": {**WATCHERS, "admin": "vcd"},
    "evaluation.topic": {**WATCHERS, "admin": "vacd"},
    "evaluation.campaign": {**WATCHERS, "admin": "vacd"},
    "evaluation.suggestion": {**WATCHERS, "admin": "vcd"},
    "evaluation.reportgroup": {**WATCHERS, "admin": "vacd"},
    # The 三民 pool (names, mobile phones): platform admins maintain and import it; only the organiser exports it.
    "evaluation.candidate": {"organiser": "e", "admin": "vacdi"},
    # Open government: a body's officers and head read the bodies, policies and Q&A; they work their body's
    # requests (read-only form, the steps through their own pages); no one adds one in the admin or deletes one.
    "disclosure.body": {**WATCHERS, **OFFICERS, "admin": "vacd"},
    "disclosure.policy": {**WATCHERS, **OFFICERS, "admin": "vacd"},
    "disclosure.question": {**WATCHERS, **OFFICERS, "admin": "vacd"},
    "disclosure.inforequest": {**WATCHERS, "officer": "vc", "head": "vc", "admin": "vc"},
    "disclosure.project": {**WATCHERS, "admin": "vacd"},
    "disclosure.event": {**WATCHERS, "admin": "vacd"},
    # The knowledge base: platform admins (and knowledge editors, a duty: tests/knowledge/test_admin.py) write it;
    # staff who answer from it read it. Citations are the console's, shown under the article.
    "knowledge.article": {"operator": "v", "dispatcher": "v", **WATCHERS, "admin": "vacd"},
    "supervision.supervisioncase": {**WATCHERS, "admin": "v"},
    "notifications.notification": {**WATCHERS, "admin": "vc"},
    # The wording of every message: platform admins edit it (rows are made at migrate, never added or deleted).
    "notifications.messagetemplate": {"admin": "vc"},
    # Who looked at whose personal data: read by platform admins only, written by nobody by hand.
    "petitions.accessrecord": {"admin": "v"},
    # The channels' switches and credentials (one row per channel, made at migrate); 110 transfers are read only.
    "channels.source": {"admin": "vc"},
    "channels.policetransfer": {"admin": "v"},
    # Django's and the libraries' own tables: superusers only.
    "auth.group": {}, "authtoken.tokenproxy": {}, "axes.accessattempt": {}, "axes.accessfailurelog": {},
    "axes.accesslog": {},
}


def _has_spreadsheets(model_admin) -> bool:
    return hasattr(model_admin, "import_action") or type(model_admin).__name__ == "CatalogRuleAdmin"


def test_every_admin_model_is_in_the_matrix():
    registered = {f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry}
    assert registered == set(ADMIN)


def _admin_cells(label: str, role: str):
    """(url, expected status, expected has_change_permission or None) for one model and role."""
    model = next(m for m in admin.site._registry if f"{m._meta.app_label}.{m._meta.model_name}" == label)
    rights = "" if role not in STAFF else ADMIN[label].get(role, "")
    base = f"/admin/{label.replace('.', '/')}/"
    denied = LOGIN if role not in STAFF else DENIED
    yield base, OK if "v" in rights else denied, None
    yield base + "add/", OK if "a" in rights else denied, None
    obj = model._default_manager.first()
    if label == "org.calendarday":
        # A day before today is fixed (its delete page is refused to everyone, tests/org/test_calendar_past.py):
        # the matrix checks a coming one.
        coming = dt.date.today() + dt.timedelta(days=400)
        obj = model._default_manager.filter(date=coming).first() or model._default_manager.create(
            date=coming, is_workday=False, name="测试假日")
    if obj is not None and label != "dispatch.queuedpetition":  # its change page is the dispatch console
        yield f"{base}{obj.pk}/change/", OK if "v" in rights else denied, ("c" in rights) if "v" in rights else None
        yield f"{base}{obj.pk}/delete/", OK if "d" in rights else denied, None
    if _has_spreadsheets(admin.site._registry[model]):
        yield base + "import/", OK if "i" in rights else denied, None
        yield base + "export/", OK if "e" in rights else denied, None


@pytest.mark.django_db
@pytest.mark.parametrize("role", [role for role in ROLES if role != "officer_other"])  # its body holds no object
def test_admin_access(client, world, role):
    """One role against every admin model's changelist, add, change, delete, import and export."""
    users, _ids = world
    if role != "anon":
        client.force_login(users[role])
    wrong = []
    for label in sorted(ADMIN):
        for url, expected, may_change in _admin_cells(label, role):
            response = client.get(url)
            if response.status_code != expected:
                wrong.append(f"{url}: {response.status_code}, expected {expected}")
            elif may_change is not None and response.context["has_change_permission"] != may_change:
                wrong.append(f"{url}: may change is {not may_change}, expected {may_change}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db
@pytest.mark.parametrize("role", STAFF)
def test_admin_actions_are_offered_only_to_those_who_may_change(client, world, role):
    """Django offers a list's actions to whoever may open it unless each names the permission it needs: a role
    that may only look (a dispatcher at the routing rules, a supervisor at the bulletins or the outbox) must not
    retire rules, publish bulletins or send messages again."""
    users, _ids = world
    client.force_login(users[role])
    wrong = []
    for label in sorted(ADMIN):
        rights = ADMIN[label].get(role, "")
        if "v" not in rights:
            continue
        form = client.get(f"/admin/{label.replace('.', '/')}/").context.get("action_form")
        offered = [name for name, _label in form.fields["action"].choices if name] if form else []
        app, model = label.split(".")
        wrong += [f"{label}: {name}" for name in offered
                  if not users[role].has_perm(f"{app}.{'delete' if name == 'delete_selected' else 'change'}_{model}")]
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db
def test_a_dispatcher_who_may_only_look_cannot_retire_a_rule_by_posting_the_action(client, world):
    from dispatch.models import CatalogRule

    users, _ids = world
    rule = CatalogRule.objects.filter(active=True).first()
    client.force_login(users["dispatcher"])
    client.post("/admin/dispatch/catalogrule/", {"action": "retire", "_selected_action": [rule.pk], "index": 0})
    rule.refresh_from_db()
    assert rule.active
