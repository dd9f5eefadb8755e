"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2), so that 311
apps, city systems and standard clients can file and read petitions.

Services are the classification leaves; a request is a petition. Both .json
and .xml; errors in the specification's format ([{"code", "description"}] or
<errors><error>...) with its status codes (400 bad or missing input, 403 bad
api_key, 404 unknown service or request).

What a request shows is decided by `petitions.publication`, the one publication
policy: only petitions in the hotline workflow, never confidential ones or
reports of wrongdoing, and only its allow-listed fields; the description and
address only with the citizen's consent and with personal data masked. A
petition that is not published is "unknown" here, exactly like one that does
not exist.
"""
from __future__ import annotations

import datetime as dt
import uuid
import xml.etree.ElementTree as ET
from urllib.parse import unquote_to_bytes, urlencode
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_ratelimit.exceptions import Ratelimited

from dispatch.models import Assignment, Role
from lib.drf import offset_in_range
from lib.errors import DomainError
from lib.fields import phone_message
from lib.identity import PhoneRejected, normalise_phone
from lib.ratelimits import limit, log_refusal, refusal, usage
from lib.text import xml_safe
from org.geo import area_at, city_area
from org.models import Area, Classification
from petitions import publication
from petitions.idempotency import IdempotencyRefused, key_scope, run_once
from petitions import services as petition_services
from petitions.models import OPEN_STATUSES, Channel, Kind, Petition

DEFAULT_DAYS = 90  # GeoReport v2: without dates, the last 90 days
MAX_RESULTS = 1000  # ... and at most 1,000 requests
# Per client address (lib.ratelimits): reads by PORTAL_RATE_OPEN311_READ; writes without a valid api_key by
# PORTAL_RATE_OPEN311_WRITE (_count_keyless_write). A valid key is exempt, as on the REST API
# (petitions.api_support.AnonWriteThrottle): it is accountable and revocable, and many integrators share one address.
READ_LIMIT = limit("open311-read", "PORTAL_RATE_OPEN311_READ", method=("GET", "HEAD"))
WRITE_GROUP, WRITE_SETTING = "open311-write", "PORTAL_RATE_OPEN311_WRITE"


class Open311Error(Exception):
    def __init__(self, code: int, description: str):
        self.code, self.description = code, str(description)


def _render(data, fmt: str, root: str, item: str, status: int = 200) -> HttpResponse:
    if fmt == "json":
        return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})
    element = ET.Element(root)
    items = data if isinstance(data, list) else [data]
    for entry in items:
        node = element if not isinstance(data, list) else ET.SubElement(element, item)
        _to_xml(node, entry)
    body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(element, encoding="utf-8")
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


XML_LIST_ITEMS = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute", "values": "value"}


def _to_xml(node, value):
    if isinstance(value, dict):
        for key, child in value.items():
            sub = ET.SubElement(node, key)
            if isinstance(child, list):
                for entry in child:
                    _to_xml(ET.SubElement(sub, XML_LIST_ITEMS.get(key, "item")), entry)
            else:
                _to_xml(sub, child)
    elif value is None:
        return
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    else:
        node.text = xml_safe(str(value))  # one control character in one petition made the whole list unreadable


def _error(fmt: str, code: int, description: str) -> HttpResponse:
    errors = [{"code": code, "description": str(description)}]
    if fmt == "json":
        return JsonResponse(errors, status=code, safe=False, json_dumps_params={"ensure_ascii": False})
    return _render(errors, "xml", "errors", "error", status=code)


def error_at(path: str, code: int, description: str) -> HttpResponse:
    """The specification's error for an address under /open311/ answered outside an endpoint (an unknown address,
    Django's 400 for a request it cannot read, a 500: config.errors): XML when the address ends in .xml."""
    return _error("xml" if path.endswith(".xml") else "json", code, description)


def unknown_resource() -> str:
    return _("Unknown Open311 resource: see discovery.json for what this endpoint offers.")


def _with_nul(request) -> str | None:
    """The first parameter (query string or form) whose name or value holds a NUL byte: no text field can store one
    and PostgreSQL refuses it in any query (a 500 before this check)."""
    for params in (request.GET, request.POST):
        for name, values in params.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return name.replace("\x00", "\\x00")
    return None


def endpoint(view):
    def wrapper(request, fmt, *args, **kwargs):
        if fmt not in ("json", "xml"):
            return _error("json", 400, _("Unknown format: use .json or .xml."))
        refused = _with_nul(request)
        if refused is not None:
            return _error(fmt, 400, _("%(name)s contains a NUL byte (0x00), which no text may hold.")
                          % {"name": refused})
        try:
            response = view(request, fmt, *args, **kwargs)
        except Open311Error as error:
            return _error(fmt, error.code, error.description)
        except Ratelimited as refused:  # refused before anything was read or stored
            log_refusal(request, "open311")
            response = _error(fmt, 429, _("Too many requests from your connection. Please try again later."))
            response["Retry-After"] = str(getattr(refused, "retry_after", 60))
            return response
        if isinstance(response, HttpResponseNotAllowed):  # require_http_methods answers with an empty HTML body
            allowed = response["Allow"]
            response = _error(fmt, 405, _("This method is not allowed here: use %(methods)s.") % {"methods": allowed})
            response["Allow"] = allowed
        return response

    wrapper.__name__ = view.__name__
    return csrf_exempt(wrapper)


def _iso(moment):
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


@endpoint
@require_http_methods(["GET", "HEAD"])
@READ_LIMIT
def discovery(request, fmt):
    base = request.build_absolute_uri("/open311/v2/")
    return _render({
        "changeset": "2026-11-23T00:00:00+08:00",
        "contact": getattr(settings, "PORTAL_OPEN311_CONTACT", "12345 hotline, 12345@portal.example.gov.cn"),
        "key_service": _("API keys are issued by the 12345 platform administrators."),
        "endpoints": [{
            "specification": "http://wiki.open311.org/GeoReport_v2", "url": base,
            "changeset": "2026-11-23T00:00:00+08:00", "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    }, fmt, "discovery", "discovery")


def _leaves():
    return Classification.objects.filter(is_active=True, is_leaf=True).select_related("parent__parent").order_by("path")


@endpoint
@require_http_methods(["GET", "HEAD"])
@READ_LIMIT
def services(request, fmt):
    data = []
    for leaf in _leaves():
        parent = leaf.parent
        data.append({
            "service_code": leaf.code, "service_name": leaf.name,
            "description": f"{parent.name} / {leaf.name}" if parent else leaf.name, "metadata": True, "type": "batch",
            "keywords": leaf.keywords, "group": parent.parent.name if parent and parent.parent else (parent.name if parent else ""),
        })
    return _render(data, fmt, "services", "service")


def _area_values():
    areas = Area.objects.filter(is_active=True, level__in=[Area.Level.DISTRICT, Area.Level.STREET]).order_by("path")
    return [{"key": a.code, "name": a.name if a.level == Area.Level.DISTRICT else f"— {a.name}"} for a in areas]


@endpoint
@require_http_methods(["GET", "HEAD"])
@READ_LIMIT
def service_definition(request, fmt, code):
    if not Classification.objects.filter(code=code, is_active=True, is_leaf=True).exists():
        raise Open311Error(404, _("Unknown service_code."))
    attributes = [
        {"variable": True, "code": "area", "datatype": "singlevaluelist", "required": False,
         "datatype_description": _("Where it happens: a district or a street (or give address_id). Optional: "
                                                  "without it the area is found from lat and long."), "order": 1,
         "description": _("District or street"), "values": _area_values()},
        {"variable": True, "code": "kind", "datatype": "singlevaluelist", "required": False,
         "datatype_description": "", "order": 2, "description": _("Kind of request"),
         "values": [{"key": k.value, "name": str(k.label)} for k in Kind]},
        {"variable": True, "code": "title", "datatype": "string", "required": False, "datatype_description": "",
         "order": 3, "description": _("Short title (defaults to the service name)"), "values": []},
        {"variable": True, "code": "confidential", "datatype": "singlevaluelist", "required": False,
         "datatype_description": "", "order": 4, "description": _("Keep the complainant's identity confidential"),
         "values": [{"key": "true", "name": _("Yes")}, {"key": "false", "name": _("No")}]},
        {"variable": True, "code": "publish_consent", "datatype": "singlevaluelist", "required": False,
         "datatype_description": "", "order": 5,
         "description": _("The citizen agrees that the description and address may be published, personal data masked"),
         "values": [{"key": "true", "name": _("Yes")}, {"key": "false", "name": _("No")}]},
    ]
    return _render({"service_code": code, "attributes": attributes}, fmt, "service_definition", "service_definition")


def _expected(petitions) -> dict[int, dt.datetime]:
    """The lead unit's handling deadline per petition: when an answer can be expected."""
    ids = [p.pk for p in petitions]
    # The newest live lead per petition, as the citizen's page reads it (petitions.selectors.lead_clock); none while
    # its clock is stopped: the deadline moves when it restarts.
    rows = (Assignment.objects.filter(petition_id__in=ids, role=Role.LEAD)
            .exclude(status="cancelled").exclude(handle_due_at=None).order_by("petition_id", "dispatched_at")
            .values_list("petition_id", "handle_due_at", "paused_at"))
    newest = {petition_id: (due, paused) for petition_id, due, paused in rows}
    return {petition_id: due for petition_id, (due, paused) in newest.items() if not paused}


def _request_data(record: publication.PublicPetition) -> dict:
    return {
        "service_request_id": record.number,
        "status": "open" if record.is_open else "closed",
        "status_notes": record.answer or str(record.status_display),
        "service_name": record.service_name,
        "service_code": record.service_code,
        "description": record.description,
        "agency_responsible": "",
        "service_notice": "",
        "requested_datetime": _iso(record.received_at),
        "updated_datetime": _iso(record.updated_at),
        "expected_datetime": _iso(record.expected_at),
        "address": record.address,
        "address_id": record.area_code,
        "zipcode": None,
        "lat": record.latitude,
        "long": record.longitude,
        "media_url": None,
    }


def _published_requests(queryset) -> list[dict]:
    petitions = list(queryset.select_related("classification", "area"))
    records = publication.public_records(petitions, expected=_expected(petitions))
    return [_request_data(r) for r in records]


FIRST_YEAR, LAST_YEAR = 2000, 2100  # no petition is older; and the 90-day window cannot leave the calendar


def _parse_date(value: str, name: str):
    try:
        moment = parse_datetime(value.replace(" ", "+")) if value else None
    except ValueError:  # well formed but impossible: 2026-02-30, month 13
        moment = None
    if value and moment is None:
        raise Open311Error(400, _("%(name)s must be a W3C datetime, e.g. 2026-11-23T09:00:00+08:00.") % {"name": name})
    if moment is not None and not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise Open311Error(400, _("%(name)s must be between the years %(first)s and %(last)s.")
                           % {"name": name, "first": FIRST_YEAR, "last": LAST_YEAR})
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)

    if not offset_in_range(moment):
        raise Open311Error(400, _("%(name)s has an impossible time zone offset.") % {"name": name})
    return moment


@endpoint
@require_http_methods(["GET", "HEAD", "POST"])
@READ_LIMIT
def requests_view(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    query = publication.publishable()
    ids = request.GET.get("service_request_id", "").strip()
    if ids:
        numbers = [n.strip() for n in ids.split(",") if n.strip()][:MAX_RESULTS]
        petitions = query.filter(number__in=numbers).order_by("-received_at")
        return _render(_published_requests(petitions), fmt, "service_requests", "request")
    start, end = _parse_date(request.GET.get("start_date", ""), "start_date"), _parse_date(request.GET.get("end_date", ""), "end_date")
    end = end or timezone.now()
    start = start or end - dt.timedelta(days=DEFAULT_DAYS)
    if start > end:
        raise Open311Error(400, _("start_date must be before end_date."))
    query = query.filter(received_at__gte=start, received_at__lte=end)
    if request.GET.get("service_code"):
        query = query.filter(classification__code__in=request.GET["service_code"].split(","))
    status_filter = request.GET.get("status", "")
    if status_filter:
        wanted = set(status_filter.split(","))
        if not wanted <= {"open", "closed"}:
            raise Open311Error(400, _("status must be open or closed."))
        if wanted == {"open"}:
            query = query.filter(status__in=OPEN_STATUSES)
        elif wanted == {"closed"}:
            query = query.exclude(status__in=OPEN_STATUSES)
    petitions = query.order_by("-received_at")[:MAX_RESULTS]
    return _render(_published_requests(petitions), fmt, "service_requests", "request")


@csrf_exempt
def unknown(request, path):
    """Any other address under /open311/v2/: the specification's 404, in the format the address asks for
    (nothing is read, so nothing to limit)."""
    return error_at(request.path, 404, unknown_resource())


@endpoint
@require_http_methods(["GET", "HEAD"])
@READ_LIMIT
def request_detail(request, fmt, number):
    data = _published_requests(publication.publishable().filter(number=number))
    if not data:
        raise Open311Error(404, _("Unknown service_request_id."))
    return _render(data, fmt, "service_requests", "request")


@endpoint
@require_http_methods(["GET", "HEAD"])
@READ_LIMIT
def token_view(request, fmt, token):
    try:
        value = uuid.UUID(token)
    except ValueError:
        raise Open311Error(404, _("Unknown token.")) from None
    # Only tokens this API handed out: another channel's token (a web form's, a 110 transfer's) is not a client's.
    petition = Petition.objects.filter(submission_token=value, channel=Channel.API).only("number").first()
    if petition is None:
        raise Open311Error(404, _("Unknown token."))
    return _render([{"service_request_id": petition.number, "token": token}], fmt, "service_requests", "request")


def _count_keyless_write(request) -> None:
    """A post without a valid key counts against its address; past PORTAL_RATE_OPEN311_WRITE it is refused (429)
    before its key is even told wrong, so keys cannot be guessed quickly from one address."""
    counted = usage(request, WRITE_GROUP, WRITE_SETTING, increment=True)
    if counted is not None and counted["should_limit"]:
        raise refusal(WRITE_GROUP, counted)


def _create(request, fmt):
    key = petition_services.apikey_authenticate(request.POST.get("api_key", ""))
    if key is None:
        _count_keyless_write(request)
        raise Open311Error(403, _("A valid api_key is required to submit requests."))
    idempotency_key = request.META.get("HTTP_IDEMPOTENCY_KEY", "").strip()
    if not idempotency_key:
        return _file(request, fmt, key)
    # As on the REST API, scoped to the integrator's key: a retry replays the first answer (with its token) instead
    # of filing twice. The fields, not the raw body, make two posts the same: a multipart body was read already.
    payload = urlencode(sorted((name, value) for name, values in request.POST.lists() for value in values)).encode()
    try:
        return run_once(request, scope=key_scope(key), key=idempotency_key, payload=payload,
                        perform=lambda: _file(request, fmt, key))
    except IdempotencyRefused as refused:
        raise Open311Error(refused.status, refused.message) from None


def _undecodable(request) -> str | None:
    """The first posted field whose bytes are not text in the request's charset (UTF-8 unless the client names
    another). Django decodes them into U+FFFD replacement characters, which counted towards the description's
    10-character minimum."""
    encoding = request.encoding or settings.DEFAULT_CHARSET
    if request.content_type == "application/x-www-form-urlencoded":
        for pair in request.body.split(b"&"):
            name, _equals, value = (unquote_to_bytes(part.replace(b"+", b" ")) for part in pair.partition(b"="))
            try:
                name.decode(encoding), value.decode(encoding)
            except UnicodeDecodeError:  # (an unknown charset Django ignores: request.encoding is a real one)
                return name.decode(encoding, "replace")
        return None
    # multipart/form-data: Django has decoded each part already; a replacement character is what undecodable bytes left.
    return next((name for name, values in request.POST.lists() if any("\ufffd" in v for v in values)), None)


def _file(request, fmt, key):
    data = request.POST
    undecodable = _undecodable(request)
    if undecodable is not None:
        raise Open311Error(400, _("%(name)s is not valid text: send it in UTF-8.") % {"name": undecodable})
    leaf = Classification.objects.filter(code=data.get("service_code", ""), is_active=True, is_leaf=True).first()
    if leaf is None:
        raise Open311Error(404 if data.get("service_code") else 400, _("Unknown or missing service_code."))
    area_code = data.get("attribute[area]") or data.get("address_id", "")
    area = Area.objects.filter(code=area_code, is_active=True).first() if area_code else None
    if area_code and area is None:
        raise Open311Error(400, _("attribute[area] (or address_id) must be a known area code."))
    if not area_code and not (data.get("lat") or data.get("long") or data.get("address_string", "").strip()):
        # GeoReport v2: a location is required, as a point, an address string or an address id.
        raise Open311Error(400, _("Give the location: lat and long, address_string or address_id."))
    lat, lon = data.get("lat"), data.get("long")
    latitude = longitude = None
    if lat or lon:
        try:
            latitude, longitude = Decimal(lat), Decimal(lon)
        except (InvalidOperation, TypeError):
            raise Open311Error(400, _("lat and long must be numbers.")) from None
        if not (latitude.is_finite() and longitude.is_finite()):  # NaN and Infinity parse, and cannot be compared
            raise Open311Error(400, _("lat and long must be numbers."))
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise Open311Error(400, _("lat and long are out of range."))
        latitude, longitude = round(latitude, 6), round(longitude, 6)
    description = data.get("description", "").strip()
    if not 10 <= len(description) <= 5000:
        raise Open311Error(400, _("description must be 10 to 5,000 characters."))
    if area is None:
        # No area attribute (a generic GeoReport client): the point finds its street; without one inside the
        # city, the city itself, and the dispatcher places the petition from its address.
        area = area_at(latitude, longitude) or city_area()
        if area is None:  # a city not set up yet: no street and no city area to hold the petition
            raise Open311Error(400, _("attribute[area] (or address_id) must be a known area code."))
    phone = ""
    if data.get("phone", "").strip():  # optional in GeoReport v2; when given, the reporter's own mobile
        try:
            phone = normalise_phone(data.get("phone", ""), mobile_only=True)
        except PhoneRejected as rejected:
            raise Open311Error(400, phone_message(rejected, mobile_only=True)) from None
    kind = data.get("attribute[kind]") or Kind.COMPLAINT
    if kind not in Kind.values:
        raise Open311Error(400, _("attribute[kind] is not one of the listed values."))
    # The REST API's rule for a title (4 to 100 characters); none given, the service's name.
    title = data.get("attribute[title]", "").strip()
    if title and not 4 <= len(title) <= 100:
        raise Open311Error(400, _("attribute[title] must be 4 to 100 characters."))
    name = f"{data.get('last_name', '')}{data.get('first_name', '')}".strip() or _("Anonymous")
    token = uuid.uuid4()
    try:
        petition, _created = petition_services.petition_file(
            channel=Channel.API, kind=kind, area=area, classification=leaf, title=title or leaf.name[:100],
            content=description, address=data.get("address_string", "")[:200], latitude=latitude, longitude=longitude,
            complainant_name=name[:50], complainant_phone=phone,
            confidential=data.get("attribute[confidential]") == "true",
            publish_consent=data.get("attribute[publish_consent]") == "true", api_key=key, submission_token=token,
        )
    except DomainError as error:
        raise Open311Error(400, error.message) from None
    return _render([{"service_request_id": petition.number, "service_notice": "", "account_id": None,
                     "token": str(token)}], fmt, "service_requests", "request", status=201)
