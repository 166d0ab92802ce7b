import pytest

from tests.factories import RegionFactory


@pytest.fixture
def region():
    return RegionFactory(code="utrecht", name="Utrecht")
