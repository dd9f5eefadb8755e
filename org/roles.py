"""One auth group per role, holding that role's admin permissions.

Created after every migrate, so a fresh database has them; a user's groups
follow their role (org.admin and the demo loader call `sync_user_groups`).

Least privilege: every permission a role holds is listed here by name, never a
whole app's. A model or permission added later is held by nobody until it is
listed; a listed name that does not exist fails tests/org/test_roles.py. Deliberately held by nobody but platform admins:
- spreadsheet import/export of the reference data and the catalog (`import_*`,
  `export_*`: a whole table in or out at once, bypassing the forms);
- integrators' API keys (a key files petitions through Open311 and the API);
- staff accounts; the 三民 candidate pool, representatives and tally.
The candidate pool's export (names and mobile phones) is no permission at all:
only the campaign's organiser may take it out (`Campaign.organiser`).
"""
from django.contrib.auth.models import Group, Permission

REFERENCE = ["org.area", "org.sector", "org.handlingunit", "org.classification", "org.calendaryear",
             "org.calendarday"]
WITH_SPREADSHEETS = ["org.area", "org.sector", "org.handlingunit", "org.classification", "org.calendarday",
                     "dispatch.catalogrule"]
PETITION_PARTS = ["petitions.petitionevent", "petitions.attachment", "petitions.rating"]
DISPATCH = ["dispatch.catalogrule", "dispatch.assignment", "dispatch.returnrequest", "dispatch.extensionrequest",
            "dispatch.reply", "dispatch.queuedpetition", "dispatch.lookbacksample"]
# Evaluation a supervisor may read: not the candidate pool, the representatives or the tally.
EVALUATION_REPORTS = ["evaluation.dailystat", "evaluation.report", "evaluation.topic", "evaluation.topicupdate",
                      "evaluation.campaign", "evaluation.suggestion", "evaluation.reportgroup",
                      "evaluation.departmentreport"]
DISCLOSURE = ["disclosure.body", "disclosure.policy", "disclosure.question", "disclosure.inforequest", "disclosure.requestevent",
              "disclosure.project", "disclosure.projectitem", "disclosure.progressreport", "disclosure.event",
              "disclosure.signup"]
SUPERVISION = ["supervision.supervisioncase", "supervision.supervisionnotice", "supervision.caseevent"]
KNOWLEDGE = ["knowledge.article", "knowledge.citation"]
CRUD = ("view", "add", "change", "delete")


def grant(models: list[str], *actions: str) -> list[str]:
    """["org.area"], "view" -> ["org.view_area"]."""
    return [f"{model.split('.')[0]}.{action}_{model.split('.')[1]}" for model in models for action in actions]


ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Records petitions from the phone and screens them; reads the reference data for the forms.
    "operator": [
        *grant(REFERENCE, "view"),
        *grant(["petitions.petition"], "view", "add", "change"), "petitions.view_personal_data",
        *grant(PETITION_PARTS, "view"),
        *grant(KNOWLEDGE, "view"),  # answers from the knowledge base; writing it is the knowledge editors' duty
    ],
    # Decides dispatch in the console; reads the catalog (and its dry run), does not maintain it.
    "dispatcher": [
        *grant(REFERENCE, "view"),
        *grant(["petitions.petition"], "view", "add", "change"), "petitions.view_personal_data",
        *grant(PETITION_PARTS, "view"),
        *grant(DISPATCH, "view"), "dispatch.dispatch_petitions",
        *grant(KNOWLEDGE, "view"),
    ],
    # Watches; changes nothing in the admin and sees complainants' data masked.
    "supervisor": [
        *grant(REFERENCE, "view"),
        *grant(["petitions.petition", *PETITION_PARTS], "view"),
        *grant(DISPATCH, "view"),
        *grant(EVALUATION_REPORTS, "view"),
        *grant(DISCLOSURE, "view"),
        *grant(SUPERVISION, "view"),
        *grant(KNOWLEDGE, "view"),
        "notifications.view_notification",
    ],
    # Open government (disclosure/): an officer works their own body's information requests in the admin
    # (disclosure.selectors scopes them): reads them and their history, moves them through the clock's steps
    # (change), records in-person and postal requests (add); reads the bodies, policies and Q&A.
    "disclosure_officer": [
        *grant(["disclosure.inforequest"], "view", "add", "change"),
        *grant(["disclosure.requestevent", "disclosure.body", "disclosure.policy", "disclosure.question"], "view"),
    ],
    # The head of the body's disclosure office: what an officer holds, and approves extensions (Art. 33).
    "disclosure_head": [
        *grant(["disclosure.inforequest"], "view", "add", "change"),
        *grant(["disclosure.requestevent", "disclosure.body", "disclosure.policy", "disclosure.question"], "view"),
        "disclosure.approve_extension",
    ],
    # Grid workers report from the street on their own page (channels.views.grid_new); nothing in the admin.
    "grid_worker": ["channels.report_from_grid"],
    # A district platform works on the supervision pages only, scoped to its district (org.permissions):
    # nothing in the admin, whose lists are city-wide.
    "district_supervisor": [],
    "admin": [
        *grant([*REFERENCE, "org.user"], *CRUD),
        *grant(WITH_SPREADSHEETS, "import", "export"),
        *grant(["petitions.petition", *PETITION_PARTS], "view", "add", "change"), "petitions.view_personal_data",
        *grant(["petitions.apikey"], "view", "add", "change"),
        # Maintains the catalog; the rest of dispatch changes through the console's services only.
        *grant(["dispatch.catalogrule"], *CRUD), *grant(DISPATCH[1:], "view"), "dispatch.dispatch_petitions",
        *grant(["dispatch.perfunctoryphrase"], *CRUD),
        # Citizens write their suggestions; the platform answers them (change), never writes one (add).
        *grant([name for name in EVALUATION_REPORTS if name != "evaluation.suggestion"], *CRUD),
        *grant(["evaluation.suggestion"], "view", "change", "delete"),
        # The candidate pool, imported; representatives and the tally are the draw's and the ballot's alone.
        *grant(["evaluation.candidate"], *CRUD), "evaluation.import_candidate",
        *grant(DISCLOSURE, *CRUD),
        # The knowledge base: articles maintained (retired by their end date); citations are the console's alone.
        *grant(["knowledge.article"], *CRUD), *grant(["knowledge.citation"], "view"),
        *grant(SUPERVISION, "view"),
        *grant(["notifications.notification", "notifications.messagetemplate"], "view", "change"),
        *grant(["petitions.accessrecord"], "view"),
        # The channels' switches and credentials (rows are made at migrate: no add, no delete); 110 transfers read.
        *grant(["channels.source"], "view", "change"), *grant(["channels.policetransfer"], "view"),
    ],
    # Unit handlers work on their own pages, not in the admin.
    "unit_handler": [],
}


# Duties held beside a role: a platform admin adds a user to the duty's group ("duty:<name>") on the user's
# page; unlike a role's group, it stays when the role changes (sync_user_groups touches "role:" groups only).
DUTY_PERMISSIONS: dict[str, list[str]] = {
    # Knowledge editors (知识库维护员), senior operators or dispatchers (the admin is for staff roles only; owner
    # units' liaisons send corrections to them): write and retire articles; they read what the article form links
    # to (items, units, policies).
    "knowledge_editor": [
        *grant(["knowledge.article"], *CRUD), *grant(["knowledge.citation"], "view"),
        *grant(["org.classification", "org.handlingunit", "disclosure.policy"], "view"),
    ],
}


def ensure_role_groups(**kwargs):
    by_name = {f"{p.content_type.app_label}.{p.codename}": p
               for p in Permission.objects.select_related("content_type")}
    groups = {**{f"role:{role}": names for role, names in ROLE_PERMISSIONS.items()},
              **{f"duty:{duty}": names for duty, names in DUTY_PERMISSIONS.items()}}
    for group_name, names in groups.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        # Skip what does not exist yet: post_migrate runs once per app, before later apps' permissions exist.
        group.permissions.set([by_name[name] for name in names if name in by_name])


def sync_user_groups(user) -> None:
    role_groups = Group.objects.filter(name__startswith="role:")
    user.groups.remove(*role_groups)
    if user.role:
        group = Group.objects.filter(name=f"role:{user.role}").first()
        if group:
            user.groups.add(group)
