"""``mediawatch es-setup`` and ``mediawatch es-migrate``: Elasticsearch indices from ``index_config/``."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from mediawatch.context import CommandContext
from records.errors import ConfigError, InputError

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "es-setup",
        help="create or update the Elasticsearch templates, lifecycle policy and indices (idempotent)",
        description="Apply index_config/ to the server at $ELASTICSEARCH_URL under $MEDIAWATCH_ES_INDEX_PREFIX.",
    )
    p.add_argument("--replicas", type=int, default=None, help="replicas per shard (0 on a single node)")
    p.set_defaults(func=run_setup)
    m = sub.add_parser(
        "es-migrate",
        help="reindex indices older than their template version and flip the aliases atomically",
        description="Move every alias to a new index of its template's version (create, reindex, flip, catch up).",
    )
    m.add_argument("--replicas", type=int, default=None, help="replicas per shard (0 on a single node)")
    m.set_defaults(func=run_migrate)


def _client(ctx: CommandContext) -> Elasticsearch:
    settings = ctx.settings
    if not settings.elasticsearch_url:
        raise ConfigError("ELASTICSEARCH_URL is not set")
    from store.elasticsearch_store import client_for

    key = settings.es_api_key.get_secret_value() if settings.es_api_key else None
    return client_for(settings.elasticsearch_url, key)


def _replicas(args: argparse.Namespace) -> int | None:
    if args.replicas is not None and args.replicas < 0:
        raise InputError("--replicas must be 0 or more")
    return args.replicas


def run_setup(args: argparse.Namespace, ctx: CommandContext) -> int:
    from store.es_admin import setup

    for alias, outcome in setup(_client(ctx), ctx.settings.es_index_prefix, replicas=_replicas(args)).items():
        print(f"{alias}: {outcome}")
    return 0


def run_migrate(args: argparse.Namespace, ctx: CommandContext) -> int:
    from store.es_admin import migrate

    for alias, outcome in migrate(_client(ctx), ctx.settings.es_index_prefix, replicas=_replicas(args)).items():
        print(f"{alias}: {outcome}")
    return 0
