"""A platform admin manages staff accounts, not privileges (org/roles.py: least privilege; nobody holds the
ballot's counters). Only a superuser grants superuser, single permissions or a role's group."""
import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission

from org.roles import ensure_role_groups
from tests import factories


def _posted(form) -> dict:
    """The change form as the browser would send it back, unchanged."""
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or value is False:
            continue
        if hasattr(value, "__iter__") and not isinstance(value, str):
            offered = set(field.queryset.values_list("pk", flat=True)) if hasattr(field, "queryset") else None
            data[name] = [getattr(v, "pk", v) for v in value if offered is None or getattr(v, "pk", v) in offered]
        elif hasattr(value, "pk"):
            data[name] = value.pk
        elif isinstance(value, dt.datetime):
            data[f"{name}_0"], data[f"{name}_1"] = value.strftime("%Y-%m-%d"), value.strftime("%H:%M:%S")
        else:
            data[name] = value
    return data


@pytest.mark.django_db
def test_a_platform_admin_cannot_make_themself_a_superuser_nor_take_the_tallys_permissions(client, platform_admin):
    ensure_role_groups()
    client.force_login(platform_admin)
    url = f"/admin/org/user/{platform_admin.pk}/change/"
    form = client.get(url).context["adminform"].form
    assert not {"is_superuser", "user_permissions", "is_staff"} & set(form.fields)
    assert all(name.startswith("duty:") for name in form.fields["groups"].queryset.values_list("name", flat=True))
    tally = Permission.objects.get(codename="change_tallycell")
    data = {**_posted(form), "is_superuser": "on", "user_permissions": [tally.pk], "first_name": "平台"}
    assert client.post(url, data).status_code == 302  # the rest of the form is saved
    platform_admin.refresh_from_db()
    assert platform_admin.first_name == "平台" and not platform_admin.is_superuser
    assert not platform_admin.has_perm("evaluation.change_tallycell")
    assert platform_admin.groups.filter(name="role:admin").exists()  # the role's group follows the role
    role_group = Group.objects.get(name="role:supervisor")
    client.post(url, {**data, "groups": [role_group.pk]})
    assert not platform_admin.groups.filter(name="role:supervisor").exists()


@pytest.mark.django_db
def test_a_platform_admin_cannot_change_a_superusers_account_or_password(client, platform_admin):
    root = factories.make_user("root", "admin", None, is_superuser=True)
    client.force_login(platform_admin)
    page = client.get(f"/admin/org/user/{root.pk}/change/")
    assert page.status_code == 200 and page.context["has_change_permission"] is False  # read only
    assert client.post(f"/admin/org/user/{root.pk}/password/",
                       {"password1": "x-Long-enough-9", "password2": "x-Long-enough-9"}).status_code == 403
    assert client.post(f"/admin/org/user/{root.pk}/delete/", {"post": "yes"}).status_code == 403
    root.refresh_from_db()
    assert root.check_password("pw-for-tests-1") and root.is_superuser
    superuser = factories.make_user("root2", "admin", None, is_superuser=True)
    client.force_login(superuser)
    form = client.get(f"/admin/org/user/{platform_admin.pk}/change/").context["adminform"].form
    assert "is_superuser" in form.fields  # a superuser still grants it


@pytest.mark.django_db
def test_an_account_named_in_the_history_cannot_be_deleted_only_closed(client, city, platform_admin, operator):
    """Deleting it would leave the petition's history without who filed it (全程可查可溯)."""
    from petitions.models import Petition, PetitionEvent
    from org.models import User

    ensure_role_groups()
    petition = factories.file_petition(city, actor=operator)
    client.force_login(platform_admin)
    page = client.get(f"/admin/org/user/{operator.pk}/delete/")
    assert "历史记录" in page.content.decode()
    client.post(f"/admin/org/user/{operator.pk}/delete/", {"post": "yes"})
    client.post("/admin/org/user/", {"action": "delete_selected", "_selected_action": [operator.pk], "post": "yes"})
    assert User.objects.filter(pk=operator.pk).exists()
    assert Petition.objects.get(pk=petition.pk).filed_by_id == operator.pk
    assert PetitionEvent.objects.filter(petition=petition, actor=operator).exists()
    fresh = factories.make_user("never_acted", "operator", city.platform)
    client.post(f"/admin/org/user/{fresh.pk}/delete/", {"post": "yes"})
    assert not User.objects.filter(pk=fresh.pk).exists()  # an account that never acted may go
