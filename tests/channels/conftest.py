import pytest

from tests.platform_double import PlatformDouble


@pytest.fixture
def platform():
    double = PlatformDouble()
    yield double
    double.close()
