"""Staff pages speak clean Chinese (issue 17, item 8): a superuser walks every admin changelist, add, change,
history and delete page and every extra admin page (import, export, password, screening...) on the demo city, in
zh-hans, and the units', supervisors', grid workers' and operators' own pages are walked as those users; no page
shows an object repr ("Rating object (3833)") or an English word where a label should be: column headers, field
labels, headings, filters, buttons, inline titles, help texts; the disclosure admin included."""
import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse

from dispatch.models import Assignment
from knowledge import selectors as knowledge_selectors
from org.models import HandlingUnit, User
from petitions.models import Petition
from tests import factories

# Words that are names, not labels: the product names and abbreviations staff use as they are.
ALLOWED = {"API", "Excel", "SMS", "URL", "ID", "WeChat", "Open311", "GeoReport", "CSV", "PDF", "QR", "IP",
           "Django", "HTTP", "JSON", "XML", "LDAP", "GET", "POST",
           "JPEG", "PNG", "WebP", "MB",
           # keys as Django's own Chinese names them ("按住 Control 键或 Mac 上的 Command 键"), the HTTP header "Accept"
           "Control", "Command", "Mac", "Accept",
           # the names WeChat's and the police platform's consoles give their settings, which staff copy as they are
           "AppID", "AppSecret", "Token", "EncodingAESKey", "Bearer", "first", "remark"}
# Whole labels that are data: what django-axes stores for a request without the header.
DATA_LABELS = {"<unknown>"}
# A token with a digit, "_", ".", ":", "@" or "/" inside, or a capital and a hyphen ("C-new-business"), is a code,
# a version, an address or a number of the demo city's data ("role:admin", "applicant.answered", "SHA-256",
# "YSQ202611290001", "d05@qingdao.example.gov.cn"), not a label.
CODE = re.compile(r".*[0-9_]|.+[.:@/].|[A-Z]-")

LABEL_TAGS = {"th", "label", "h1", "h2", "h3", "legend", "caption", "button", "summary", "dt"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Labels(HTMLParser):
    """Collects the text of label-like elements and of submit buttons, and every piece of visible text."""

    def __init__(self):
        super().__init__()
        self.stack = []  # (tag, is_label) of the open elements; void elements are never pushed
        self.labels, self.text = [], []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.labels.append(attrs["value"])
        # The changelist's row checkbox is named "Select this object for an action - <the object>": Django's
        # words (translated) and the object's name, which the row header already shows.
        if "action-select" not in classes:
            for name in ("placeholder", "title", "aria-label"):
                if attrs.get(name):
                    self.labels.append(attrs[name])
        if tag in VOID:
            return
        if tag in ("script", "style"):
            self.skip += 1
        if tag == "th" and any(c.startswith("field-") for c in classes):
            is_label = False  # a changelist row's first cell: data, not a label
        else:
            is_label = tag in LABEL_TAGS or "help" in classes or attrs.get("id") == "changelist-filter"
        self.stack.append((tag, is_label))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        # close the nearest open element of that name (HTML allows unclosed <p>, <li>...); a stray end tag is ignored
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if self.skip:
            return
        self.text.append(data)
        # a data cell inside a label element (a changelist row under the filter...) is data all the same
        for _tag, is_label in reversed(self.stack):
            if _tag == "th" and not is_label:
                return
            if is_label:
                self.labels.append(data)
                return


def english_words(text: str, data: frozenset = frozenset()) -> list[str]:
    """The English words of a label; `data` holds the data words (user names) that headings show."""
    if text.strip() in DATA_LABELS:
        return []
    tokens = (t.rstrip(".:-") for t in re.findall(r"[A-Za-z][\w'’.:@/+-]*", text))
    words = (w for t in tokens if not CODE.match(t) and t not in data for w in re.findall(r"[A-Za-z][A-Za-z'’]+", t))
    return [w for w in words if w not in ALLOWED]


def admin_urls(site, user_request):
    """Every changelist, add page and change page (the first objects of each model) of the admin."""
    for model, model_admin in site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        yield reverse("admin:%s_%s_changelist" % info)
        if model_admin.has_add_permission(user_request):
            try:
                yield reverse("admin:%s_%s_add" % info)
            except NoReverseMatch:
                pass
        for obj in model_admin.get_queryset(user_request)[:2]:
            yield reverse("admin:%s_%s_change" % info, args=[obj.pk])
            yield reverse("admin:%s_%s_history" % info, args=[obj.pk])
        # The delete page names every row that would go with the object: inlines' and history's reprs show there.
        first = model_admin.get_queryset(user_request).first()
        if first is not None and model_admin.has_delete_permission(user_request, first):
            yield reverse("admin:%s_%s_delete" % info, args=[first.pk])
        # The admin's own pages beyond those (spreadsheet import and export, a user's password, the operators'
        # screening and callback forms, the dispatch console, the routing dry run...), of the first object.
        standard = {pattern.name for pattern in admin.ModelAdmin(model, site).get_urls()}
        for pattern in model_admin.get_urls():
            arguments = pattern.pattern.regex.groups
            if pattern.name in standard or not pattern.name or pattern.name.endswith("process_import"):
                continue  # process_import only answers the import page's POST
            may_export = getattr(model_admin, "has_export_permission", lambda request: True)
            if pattern.name.endswith("_export") and not may_export(user_request):
                continue  # the pool of 三民 candidates leaves the portal only with its organiser
            if arguments == 0:
                yield reverse(f"admin:{pattern.name}")
            elif arguments == 1 and first is not None:
                yield reverse(f"admin:{pattern.name}", args=[first.pk])


def staff_pages():
    """The staff pages outside the admin, each with a demo user who works there: (user, url)."""
    handler = User.objects.get(username="handler_d05")
    yield handler, reverse("dispatch:queue")
    yield handler, reverse("notifications:inbox")
    yield handler, reverse("org:deadline")
    for pk in Assignment.objects.filter(unit=handler.unit).values_list("pk", flat=True)[:2]:
        yield handler, reverse("dispatch:detail", args=[pk])
    supervisor = User.objects.get(username="supervisor")
    for name in ("supervision", "supervision_pool", "supervision_pauses", "supervision_lookback"):
        yield supervisor, reverse(f"dispatch:{name}")
    for pk in Petition.objects.order_by("pk").values_list("pk", flat=True)[:2]:
        yield supervisor, reverse("dispatch:supervision_petition", args=[pk])
    for name in ("dashboard", "bulletins", "statistics", "sanmin"):
        yield supervisor, reverse(f"evaluation:{name}")
    district = User.objects.get(username="district_shinan")
    yield district, reverse("dispatch:supervision_pool")
    street = HandlingUnit.objects.filter(kind=HandlingUnit.Kind.STREET_OFFICE).first()
    grid_worker = factories.make_user("gridder", "grid_worker", street)  # the demo city has none
    yield grid_worker, reverse("channels:grid")
    yield grid_worker, reverse("channels:grid_new")
    operator = User.objects.get(username="operator")
    yield operator, reverse("knowledge:faq")
    yield operator, reverse("knowledge:faq") + "?q=路灯"
    article = knowledge_selectors.articles_public().filter(classification__isnull=False).first()
    yield operator, reverse("knowledge:article", args=[article.pk])


@pytest.fixture
def demo(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # the demo's accounts, fast
    call_command("load_demo", verbosity=0)


def page_problems(client, url, usernames) -> dict:
    response = client.get(url, follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    if response.status_code != 200:
        return {"status": response.status_code}
    if not response["Content-Type"].startswith("text/html"):
        return {}  # a spreadsheet download
    html = response.content.decode()
    assert '<html lang="zh-hans"' in html, url
    parser = Labels()
    parser.feed(html)
    text = " ".join(parser.text)
    # Except the rows of a many-to-many link ("Group_permissions object (58)"), which Django itself names and
    # lists only on a delete page, under the link's name.
    found = [r for r in re.findall(r"\S+ object \(\d+\)", text) if "_" not in r.split()[0]]
    words = sorted({w for label in parser.labels for w in english_words(label, usernames)})
    return {"reprs": found[:3], "english": words[:20]} if found or words else {}


def crawl(client, rf):
    # A failed login, so that the login protection's attempts and failures have a row to show.
    client.post(reverse("login"), {"username": "operator", "password": "wrong"}, REMOTE_ADDR="203.0.113.9")
    usernames = frozenset(User.objects.values_list("username", flat=True))  # a user's page is headed by the name
    superuser = User.objects.filter(is_superuser=True).first()
    client.force_login(superuser)
    request = rf.get("/admin/")
    request.user = superuser
    problems, visited = {}, 0
    for url in admin_urls(admin.site, request):
        problems[url] = page_problems(client, url, usernames)
        visited += 1
    assert visited > 60
    for user, url in staff_pages():
        client.force_login(user)
        problems[f"{url} ({user.username})"] = page_problems(client, url, usernames)
    return {url: problem for url, problem in problems.items() if problem}


@pytest.mark.django_db
def test_every_staff_page_opens_in_chinese_with_no_object_repr_and_no_english_label(client, demo, rf):
    """One walk for both checks: loading the demo city is most of the time."""
    problems = crawl(client, rf)
    assert not problems, "\n".join(f"{url}: {p}" for url, p in problems.items())


@pytest.mark.django_db
def test_the_read_only_petition_page_offers_no_save_button(client, petition, operator, supervisor):
    for user in (operator, supervisor):
        client.force_login(user)
        page = client.get(f"/admin/petitions/petition/{petition.pk}/change/").content.decode()
        assert petition.number in page
        assert 'name="_save"' not in page and 'name="_continue"' not in page and 'name="_addanother"' not in page
