import pytest

from tests.factories import AgreementFactory


@pytest.fixture
def agreement(pairing):
    return AgreementFactory(pairing=pairing)
