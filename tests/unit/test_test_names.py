"""The test folders have no __init__.py, so pytest imports each test file by its base name: two files with one name in
different folders break the collection of the whole suite (`make test`), though each folder runs alone."""

from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_no_two_test_files_share_a_name():
    names = Counter(path.name for path in TESTS.rglob("test_*.py"))
    assert [name for name, count in names.items() if count > 1] == []
