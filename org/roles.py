"""One auth group per role, holding that role's admin permissions.

Created after every migrate, so a fresh database has them; a user's groups
follow their role (org.admin and the demo loader call `sync_user_groups`).
"""
from django.contrib.auth.models import Group, Permission

ROLE_PERMISSIONS = {
    # app_label -> actions, per role. Unit handlers work on their own pages.
    "operator": {"org": ["view"], "petitions": ["view", "add", "change"]},
    "dispatcher": {
        "org": ["view"],
        "petitions": ["view", "add", "change"],
        "dispatch": ["view", "add", "change", "dispatch_petitions"],
    },
    "supervisor": {"org": ["view"], "petitions": ["view"], "dispatch": ["view"], "evaluation": ["view"],
                   "disclosure": ["view"], "supervision": ["view"], "notifications": ["view"]},
    "admin": {
        "org": ["view", "add", "change", "delete"],
        "petitions": ["view", "add", "change"],
        "dispatch": ["view", "add", "change", "delete", "dispatch_petitions"],
        "evaluation": ["view", "add", "change", "delete"],
        "disclosure": ["view", "add", "change", "delete"],
        "supervision": ["view"],
        "notifications": ["view", "change"],
    },
    "unit_handler": {},
}


CRUD = {"view", "add", "change", "delete"}


def ensure_role_groups(**kwargs):
    for role, apps in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=f"role:{role}")
        perms = []
        for app_label, actions in apps.items():
            for action in actions:
                # "view"/"add"/"change"/"delete" mean every model's; anything else is one codename.
                lookup = {"codename__startswith": f"{action}_"} if action in CRUD else {"codename": action}
                perms.extend(Permission.objects.filter(content_type__app_label=app_label, **lookup))
        if role != "admin":
            # Staff accounts (names, phones, roles) are the platform administrators' business only.
            perms = [p for p in perms if not p.codename.endswith("_user")]
        group.permissions.set(perms)


def sync_user_groups(user) -> None:
    role_groups = Group.objects.filter(name__startswith="role:")
    user.groups.remove(*role_groups)
    if user.role:
        group = Group.objects.filter(name=f"role:{user.role}").first()
        if group:
            user.groups.add(group)
