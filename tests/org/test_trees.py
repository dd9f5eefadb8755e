import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError

from org.models import Classification, HandlingUnit
from org.services import classification_refresh_leaves


def _chain(codes):
    parent = None
    for code in codes:
        parent = Classification.objects.create(code=code, name=code, top_class="livelihood", tier="7", parent=parent)
    return parent


@pytest.mark.django_db
def test_a_node_moved_with_its_subtree_keeps_the_tree_within_max_depth(city):
    bottom = _chain(["X1", "X2", "X3"])  # depth 3
    mover = _chain(["Y1", "Y2", "Y3"])  # Y2 has one level below it
    branch = Classification.objects.get(code="Y2")
    branch.parent = bottom  # Y2 at depth 4, Y3 at 5: allowed (MAX_DEPTH 5)
    branch.full_clean()
    branch = Classification.objects.get(code="Y1")
    branch.parent = bottom  # Y1 at 4, Y2 at 5, Y3 at 6: too deep
    with pytest.raises(ValidationError) as error:
        branch.full_clean()
    assert "parent" in error.value.message_dict
    assert mover.depth == 3


@pytest.mark.django_db
def test_a_unit_cannot_be_its_own_parent(city):
    city.urban.parent = city.urban
    with pytest.raises(ValidationError) as error:
        city.urban.full_clean()
    assert "parent" in error.value.message_dict


@pytest.mark.django_db
def test_a_unit_cannot_be_placed_below_its_own_descendant(city):
    gov, office = city.district_gov, city.street_office  # office's parent is gov
    gov.parent = office
    with pytest.raises(ValidationError) as error:
        gov.full_clean()
    assert error.value.message_dict["parent"]
    office.parent = city.platform
    office.full_clean()  # an ordinary move is fine
    assert HandlingUnit.objects.get(pk=office.pk).parent == gov


def test_an_item_whose_last_child_is_deleted_in_the_admin_is_a_leaf_again(client, city, platform_admin):
    """Else it disappears from every picker (they offer leaves) until someone saves another item."""
    platform_admin.user_permissions.add(*Permission.objects.filter(codename__in=["add_classification",
                                                                                "delete_classification"]))
    client.force_login(platform_admin)
    child = Classification.objects.create(code="01010201", name="夜间施工噪音", parent=city.noise,
                                          top_class="livelihood", tier="3")
    classification_refresh_leaves()
    assert not Classification.objects.get(pk=city.noise.pk).is_leaf
    client.post(f"/admin/org/classification/{child.pk}/delete/", {"post": "yes"})
    assert not Classification.objects.filter(pk=child.pk).exists()
    assert Classification.objects.get(pk=city.noise.pk).is_leaf
    other = Classification.objects.create(code="01010202", name="广场舞噪音", parent=city.noise,
                                          top_class="livelihood", tier="3")
    classification_refresh_leaves()
    client.post("/admin/org/classification/", {"action": "delete_selected", "_selected_action": [other.pk],
                                               "post": "yes"})
    assert not Classification.objects.filter(pk=other.pk).exists()
    assert Classification.objects.get(pk=city.noise.pk).is_leaf
