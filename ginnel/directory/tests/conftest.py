"""Fixtures of the directory's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """What the postcodes summary cached in one test is not seen by the next."""
    cache.clear()
    yield
    cache.clear()
