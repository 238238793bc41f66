"""Stores: the interface (``base``), the embedded SQLite default and the Elasticsearch scale-out."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mediawatch.settings import Settings
    from store.base import Store


def open_store(settings: Settings) -> Store:
    """The store the settings name (``sqlite`` by default)."""
    from records.errors import ConfigError

    if settings.store == "sqlite":
        from store.sqlite_store import SQLiteStore

        return SQLiteStore(settings.db)
    if settings.store == "elasticsearch":
        if not settings.elasticsearch_url:
            raise ConfigError("MEDIAWATCH_STORE=elasticsearch needs ELASTICSEARCH_URL")
        from store.elasticsearch_store import ElasticsearchStore

        return ElasticsearchStore.from_settings(settings)
    raise ConfigError(f"unknown store backend: {settings.store}")
