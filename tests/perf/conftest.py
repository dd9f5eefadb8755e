"""The dispatch tests' routing catalog, for the performance tests."""
from tests.dispatch.conftest import catalog  # noqa: F401
