"""What a command gets: the settings and lazily opened shared resources (store, models)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mediawatch.settings import Settings

if TYPE_CHECKING:
    from store.base import Store


class CommandContext:
    """Opens the store only when a command asks for it, and closes it at the end."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            from store import open_store

            self._store = open_store(self.settings)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
