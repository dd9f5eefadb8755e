import pytest
from django.core.exceptions import ValidationError

from org.models import Classification, HandlingUnit


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
