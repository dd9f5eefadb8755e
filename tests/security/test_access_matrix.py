"""Who may open what: a role × page/API matrix, checked on every cell."""
import pytest
from rest_framework.authtoken.models import Token

from dispatch import routing, services
from dispatch.models import Role, Target
from tests.factories import file_petition, make_user

OK, DENIED, LOGIN, NOT_FOUND, UNAUTH = 200, 403, 302, 404, 401

# url -> expected status per role
MATRIX = {
    "/admin/petitions/petition/":            {"anon": LOGIN, "operator": OK, "dispatcher": OK, "supervisor": OK, "handler": LOGIN, "admin": OK},
    "/admin/petitions/petition/add/":        {"anon": LOGIN, "operator": OK, "dispatcher": OK, "supervisor": DENIED, "handler": LOGIN, "admin": OK},
    "/admin/dispatch/queuedpetition/":       {"anon": LOGIN, "operator": DENIED, "dispatcher": OK, "supervisor": OK, "handler": LOGIN, "admin": OK},
    "/admin/dispatch/catalogrule/":          {"anon": LOGIN, "operator": DENIED, "dispatcher": OK, "supervisor": OK, "handler": LOGIN, "admin": OK},
    "/admin/dispatch/catalogrule/import/":   {"anon": LOGIN, "operator": DENIED, "dispatcher": OK, "supervisor": DENIED, "handler": LOGIN, "admin": OK},
    "/admin/org/user/":                      {"anon": LOGIN, "operator": DENIED, "dispatcher": DENIED, "supervisor": DENIED, "handler": LOGIN, "admin": OK},
    "/admin/org/classification/":            {"anon": LOGIN, "operator": OK, "dispatcher": OK, "supervisor": OK, "handler": LOGIN, "admin": OK},
    "/dispatch/":                            {"anon": LOGIN, "operator": DENIED, "dispatcher": DENIED, "supervisor": DENIED, "handler": OK, "admin": DENIED},
    "/dispatch/a/{own}/":                    {"anon": LOGIN, "operator": DENIED, "dispatcher": DENIED, "supervisor": DENIED, "handler": OK, "admin": DENIED},
    "/dispatch/a/{other}/":                  {"anon": LOGIN, "operator": DENIED, "dispatcher": DENIED, "supervisor": DENIED, "handler": NOT_FOUND, "admin": DENIED},
    "/dispatch/supervision/":                {"anon": LOGIN, "operator": DENIED, "dispatcher": OK, "supervisor": OK, "handler": DENIED, "admin": OK},
    "/evaluation/":                          {"anon": LOGIN, "operator": DENIED, "dispatcher": OK, "supervisor": OK, "handler": DENIED, "admin": OK},
    "/petitions/attachments/{attachment}/":  {"anon": LOGIN, "operator": OK, "dispatcher": OK, "supervisor": OK, "handler": NOT_FOUND, "admin": OK},
    "/api/v1/assignments/":                  {"anon": UNAUTH, "operator": DENIED, "dispatcher": DENIED, "supervisor": DENIED, "handler": OK, "admin": DENIED},
    "/api/v1/assignments/{other}/":          {"anon": UNAUTH, "operator": DENIED, "dispatcher": DENIED, "supervisor": DENIED, "handler": NOT_FOUND, "admin": DENIED},
    "/api/v1/dispatch/petitions/":           {"anon": UNAUTH, "operator": DENIED, "dispatcher": OK, "supervisor": DENIED, "handler": DENIED, "admin": OK},
    "/api/v1/supervision/cases/":            {"anon": UNAUTH, "operator": DENIED, "dispatcher": OK, "supervisor": OK, "handler": DENIED, "admin": OK},
    "/":                                     {"anon": OK, "operator": OK, "dispatcher": OK, "supervisor": OK, "handler": OK, "admin": OK},
}


@pytest.fixture
def world(city, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from petitions.services import attachment_clean, attachments_add
    from tests.petitions.test_citizen_form import jpeg_with_gps

    services.rule_create(key="noise-t", kind="territorial", classification=city.noise, target=Target.STREET)
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
    }
    ids = {"own": own.assignments.get(role=Role.LEAD).pk, "other": other.assignments.get(role=Role.LEAD).pk,
           "attachment": attachment.pk}
    return users, ids


ROLES = ["anon", "operator", "dispatcher", "supervisor", "handler", "admin"]


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
        if status != row[role]:
            wrong.append(f"{path}: {status}, expected {row[role]}")
    assert wrong == []
