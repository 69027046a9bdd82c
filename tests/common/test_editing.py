"""common.editing: what the edit page takes as its history block."""

from common.editing import _entries
from common.history import timeline
from grants.models import Agreement


def test_a_row_stands_for_its_history(gnv2023):
    assert _entries(gnv2023) == _entries(gnv2023.history) == timeline(gnv2023.history.all())


def test_a_new_row_has_no_history_and_a_list_is_taken_as_it_is(db):
    assert _entries(Agreement()) is None
    assert _entries(None) is None
    assert _entries(["x"]) == ["x"]
