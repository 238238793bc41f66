"""A dict that computes a missing value on first lookup and starts over when it grows past a limit.

The fast paths of enrichment (segmentation, hashing, explanations) remember per-token work this way:
a lookup that hits costs one dict access, a miss calls ``make`` once, and memory stays bounded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class BoundedMemo(dict[K, V]):
    """``memo[key]`` is ``make(key)``, computed on first sight; past ``limit`` entries the memo is emptied."""

    def __init__(self, make: Callable[[K], V], limit: int) -> None:
        super().__init__()
        self._make = make
        self._limit = limit

    def __missing__(self, key: K) -> V:
        if len(self) > self._limit:
            self.clear()
        value = self[key] = self._make(key)
        return value
