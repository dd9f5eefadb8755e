"""The dispatcher's console pages: unit choosers as the tree of units, co-units by plain form values, and no
element id used twice on any console page (labels must point at their own field)."""
from collections import Counter
from html.parser import HTMLParser

import pytest

from dispatch import handling
from dispatch.models import Role
from org.models import HandlingUnit
from tests.factories import file_petition

QUEUE = "/admin/dispatch/queuedpetition/"


class Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.options = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        if tag == "option" and attrs.get("value"):
            self.options.append(attrs)


def parse(html: str) -> Ids:
    parser = Ids()
    parser.feed(html)
    return parser


def assert_unique_ids(html: str):
    repeated = {i: n for i, n in Counter(parse(html).ids).items() if n > 1}
    assert not repeated, f"ids used more than once: {repeated}"


@pytest.fixture
def committee(city):
    unit = HandlingUnit.objects.create(code="C1", name="甲一社区居民委员会", kind="community", parent=city.street_office)
    unit.areas.set([city.community])
    return unit


@pytest.fixture
def dispatched(city, catalog, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return file_petition(city)


@pytest.mark.django_db
def test_unit_chooser_is_the_tree_committees_under_their_street_not_first(client, city, dispatcher, committee):
    received = file_petition(city, classification=None)
    client.force_login(dispatcher)
    page = client.get(f"{QUEUE}{received.pk}/console/").content.decode()
    lead = page[page.index('name="lead_unit"'):]
    lead = lead[:lead.index("</select>")]
    order = [lead.index(name) for name in ("市城市管理局", "热电集团", "甲区人民政府", "甲一街道办事处", "甲一社区居民委员会",
                                            "乙一街道办事处")]
    assert order == sorted(order)
    assert '<optgroup label="甲区人民政府">' in lead and '<optgroup label="市直部门">' in lead
    options = {o["data-name"]: o for o in parse(lead).options}
    assert "12345热线" not in options  # the platform dispatches; it is not a handling unit
    # searchable by area: the committee knows its district, street and community; the depth draws the tree
    assert options["甲一社区居民委员会"]["data-area"] == "测试市 甲区 甲一街道 甲一社区"
    assert (options["甲区人民政府"]["data-depth"], options["甲一街道办事处"]["data-depth"],
            options["甲一社区居民委员会"]["data-depth"]) == ("0", "1", "2")
    # without JavaScript: a plain select whose labels are indented by the tree
    assert "\u3000\u3000甲一社区居民委员会</option>" in lead
    assert 'src="/static/vendor/tom-select/tom-select.complete.min.js"' in page and "cdn" not in page.lower()


@pytest.mark.django_db
def test_redispatch_with_two_co_units_from_the_plain_form(client, city, dispatcher, committee):
    received = file_petition(city, classification=None)
    client.force_login(dispatcher)
    response = client.post(f"{QUEUE}{received.pk}/console/redispatch/", {
        "lead_unit": city.street_office.pk, "co_units": [city.urban.pk, committee.pk], "reason": "属地牵头",
        "expected": "received"})
    assert response.status_code == 302
    roles = {a.unit_id: a.role for a in received.assignments.all()}
    assert roles == {city.street_office.pk: Role.LEAD, city.urban.pk: Role.CO, committee.pk: Role.CO}


@pytest.mark.django_db
def test_a_refused_form_keeps_its_own_ids_and_shows_the_error_on_its_field(client, city, dispatcher):
    received = file_petition(city, classification=None)
    client.force_login(dispatcher)
    response = client.post(f"{QUEUE}{received.pk}/console/redispatch/", {"reason": "", "expected": "received"})
    assert response.status_code == 400
    html = response.content.decode()
    assert_unique_ids(html)
    assert 'id="id_redispatch_lead_unit"' in html and response.context["redispatch_form"].errors["lead_unit"]


@pytest.mark.django_db
def test_no_console_page_repeats_an_element_id(client, city, dispatcher, street_handler, dispatched, committee):
    """Every kind of console page: the queues, a received petition, a dispatched one with a return and an
    extension pending (two decision forms), a unit's own page."""
    lead = dispatched.assignments.get(role=Role.LEAD)
    handling.assignment_sign(assignment=lead, actor=street_handler)
    handling.assignment_request_return(assignment=lead, actor=street_handler, reason="该事项不属于本单位的职责范围，应由城管部门处理")
    handling.assignment_request_extension(assignment=lead, actor=street_handler, days=3, reason="需协调多个部门共同现场核查处理")
    received = file_petition(city, classification=None)
    client.force_login(dispatcher)
    pages = [QUEUE, QUEUE + "?queue=callbacks", f"{QUEUE}{received.pk}/console/", f"{QUEUE}{dispatched.pk}/console/"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_unique_ids(response.content.decode())
    console = client.get(f"{QUEUE}{dispatched.pk}/console/").content.decode()
    assert console.count('name="approve"') == 4  # two decision forms, yes/no each, ids apart
    client.force_login(street_handler)
    unit_page = client.get(f"/dispatch/a/{lead.pk}/")
    assert unit_page.status_code == 200
    assert_unique_ids(unit_page.content.decode())


@pytest.mark.django_db
def test_a_redispatch_posted_twice_is_done_once(client, city, dispatcher, dispatched, django_capture_on_commit_callbacks):
    """A double click or the back button on 改派: the petition's status is the same before and after (已派单), so
    only the page's `seen` stamp tells the second post from a fresh decision."""
    from dispatch.models import Assignment
    from notifications.models import Notification

    client.force_login(dispatcher)
    page = client.get(f"{QUEUE}{dispatched.pk}/console/")
    seen = page.context["redispatch_form"].initial["seen"]
    assert f'value="{seen}"' in page.content.decode()
    data = {"lead_unit": city.urban.pk, "reason": "属城管职责，改派城管局", "expected": "dispatched", "seen": seen}
    notices = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"{QUEUE}{dispatched.pk}/console/redispatch/", data)
    sent = Notification.objects.count() - notices
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(f"{QUEUE}{dispatched.pk}/console/redispatch/", data, follow=True)
    assert first.status_code == 302
    assert [m.level_tag for m in second.context["messages"]] == ["success", "error"]  # the first done, the second refused
    assert f"诉求 {dispatched.number} 已发生变化" in second.content.decode()
    live = Assignment.objects.filter(petition=dispatched, status="pending")
    assert [a.unit_id for a in live] == [city.urban.pk]  # one set of work orders, not cancelled and made again
    assert Notification.objects.count() - notices == sent  # nobody told twice


@pytest.mark.django_db
def test_a_units_page_offers_no_second_request_while_one_awaits_the_platform(client, city, street_handler, dispatched):
    """A second extension or return request was refused after the unit had typed its reason (which was lost): the
    forms are not offered while one awaits the platform; the badge says it waits."""
    lead = dispatched.assignments.get(role=Role.LEAD)
    handling.assignment_sign(assignment=lead, actor=street_handler)
    client.force_login(street_handler)
    page = client.get(f"/dispatch/a/{lead.pk}/").content.decode()
    assert f"/dispatch/a/{lead.pk}/extension/" in page and f"/dispatch/a/{lead.pk}/return/" in page
    handling.assignment_request_extension(assignment=lead, actor=street_handler, days=3,
                                          reason="需协调多个部门共同现场核查处理")
    handling.assignment_request_return(assignment=lead, actor=street_handler,
                                       reason="该事项不属于本单位的职责范围，应由城管部门处理")
    page = client.get(f"/dispatch/a/{lead.pk}/").content.decode()
    assert f"/dispatch/a/{lead.pk}/extension/" not in page and f"/dispatch/a/{lead.pk}/return/" not in page
    assert "已申请延期3个工作日，等待平台审批。" in page and "已申请退单，等待平台审批。" in page
