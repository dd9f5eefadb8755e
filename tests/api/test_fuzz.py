"""Property-based fuzzing of /api/v1/ from its own OpenAPI schema: whatever
the input, no endpoint answers with a server error. Runs as a superuser (so
the calls get past authentication and into the views) and anonymously, on SQLite
and on PostgreSQL (DATABASE_URL), which refuses a NUL byte in any text and so
needs its own sweep below: 25 random examples an operation rarely put one in the
one parameter that reaches the database unchecked.
docs/api.md records how many cases a run generates."""
import json
from urllib.parse import quote

import pytest
import schemathesis
from hypothesis import HealthCheck, settings as hypothesis_settings

from config.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
CALLS = {"count": 0}  # how many cases ran (reported at the end of the session by conftest)

@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """schemathesis calls the WSGI app directly, which fires request_started/finished;
    Django would close the connection of the test transaction there (as the test client
    avoids by disconnecting these handlers, so do we)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


FUZZ_SETTINGS = hypothesis_settings(
    max_examples=25, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture
def superuser_token(city):
    from rest_framework.authtoken.models import Token

    from org.models import User
    from tests.factories import file_petition

    file_petition(city)
    user = User.objects.create_superuser("fuzzer", "f@example.com", "pw-for-tests-1", role="admin")
    return Token.objects.create(user=user).key


@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_no_server_error_as_superuser(case, superuser_token):
    CALLS["count"] += 1
    response = case.call(headers={"Authorization": f"Token {superuser_token}"})
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:500])


@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_no_server_error_anonymously(case, city):
    CALLS["count"] += 1
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:500])


def _plausible(name: str, definition: dict):
    """A value that passes the field's own checks, so a NUL elsewhere is what the endpoint meets."""
    definition = _resolve(definition)
    if "enum" in definition:
        return definition["enum"][0]
    kind = definition.get("type")
    if kind == "boolean":
        return True
    if kind in ("integer", "number"):
        return 1
    if kind == "array":
        return [_plausible(name, definition.get("items", {}))]
    if "phone" in name:
        return "13912345678"
    if definition.get("format") == "date":
        return "2026-11-23"
    if definition.get("format") == "date-time":
        return "2026-11-23T09:00:00+08:00"
    if name == "number":
        return "20261123000001"
    return "夜间商铺音响声音很大影响休息"


def _resolve(definition: dict) -> dict:
    while "$ref" in definition:
        definition = schema.raw_schema["components"]["schemas"][definition["$ref"].rsplit("/", 1)[1]]
    if "allOf" in definition and len(definition["allOf"]) == 1:
        return _resolve(definition["allOf"][0])
    return definition


def _nul_cases():
    """Per operation: each path parameter, each string query parameter and each string body field in turn holds a
    NUL byte, everything else a plausible value."""
    for path, item in schema.raw_schema["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            parameters = [p for p in operation.get("parameters", []) if p["in"] in ("path", "query")]
            path_values = {p["name"]: _plausible(p["name"], p.get("schema", {})) for p in parameters if p["in"] == "path"}
            content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            properties = _resolve(content.get("schema", {})).get("properties", {}) if content else {}
            body = {name: _plausible(name, d) for name, d in properties.items() if not d.get("readOnly")}
            cases = [("path", name) for name in path_values]
            cases += [("query", p["name"]) for p in parameters
                      if p["in"] == "query" and _resolve(p.get("schema", {})).get("type") in ("string", "array")]
            cases += [("body", name) for name, value in body.items() if isinstance(value, str)]
            for where, name in cases:
                yield pytest.param(method, path, path_values, where, name, body, id=f"{method} {path} {where}:{name}")


@pytest.mark.django_db
@pytest.mark.parametrize("method,path,path_values,where,name,body", list(_nul_cases()))
def test_a_nul_byte_anywhere_is_never_a_server_error(client, superuser_token, method, path, path_values, where,
                                                      name, body):
    """PostgreSQL refuses NUL in text ("A string literal cannot contain NUL"): every parameter that reaches a
    query must be refused before it (a 404 for a malformed number in the URL, a 400 field error for a value)."""
    client.raise_request_exception = False
    values = dict(path_values)
    query, body = {}, dict(body)
    if where == "path":
        values[name] = f"{values[name]}\x00"
    elif where == "query":
        query[name] = "a\x00b"
    else:
        body[name] = f"{body[name]}\x00"
    url = path.format(**{k: quote(str(v), safe="") for k, v in values.items()})
    headers = {"HTTP_AUTHORIZATION": f"Token {superuser_token}"}
    if method == "get":
        response = client.get(url, query, **headers)
    else:
        response = getattr(client, method)(url + ("?" + "&".join(f"{k}={quote(v)}" for k, v in query.items())
                                                  if query else ""),
                                           json.dumps(body), content_type="application/json", **headers)
    assert response.status_code < 500, (method, url, where, name, response.status_code, response.content[:300])


def teardown_module(module):
    print(f"\nschemathesis fuzz: {CALLS['count']} cases, no server error")
