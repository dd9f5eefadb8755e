import pytest
from django.core.exceptions import ValidationError

from org.models import Classification


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
