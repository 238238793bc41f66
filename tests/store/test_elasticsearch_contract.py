"""The store contract on Elasticsearch: runs where ELASTICSEARCH_URL points at a server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from tests.store.contract import StoreContract

ES_URL = os.environ.get("ELASTICSEARCH_URL")

pytestmark = [
    pytest.mark.elasticsearch,
    pytest.mark.skipif(not ES_URL, reason="ELASTICSEARCH_URL is not set: no Elasticsearch server to test against"),
]


class TestElasticsearchContract(StoreContract):
    @pytest.fixture
    def store(self) -> Iterator[object]:
        from elasticsearch import Elasticsearch

        from store.elasticsearch_store import ElasticsearchStore
        from store.es_admin import setup

        client = Elasticsearch(ES_URL, api_key=os.environ.get("MEDIAWATCH_ES_API_KEY") or None, request_timeout=60)
        prefix = f"mwtest-{uuid.uuid4().hex[:10]}"
        setup(client, prefix)
        try:
            yield ElasticsearchStore(client, prefix)
        finally:
            from store.es_admin import INDEX_NAMES, component_templates, lifecycle_policies

            quiet = client.options(ignore_status=404)
            indices = list(quiet.indices.get(index=f"{prefix}-*", expand_wildcards="all").body)
            if indices:  # by name: wildcard deletes are refused (action.destructive_requires_name)
                quiet.indices.delete(index=indices)
            quiet.indices.delete_index_template(name=[f"{prefix}-{n}" for n in INDEX_NAMES])
            quiet.cluster.delete_component_template(name=list(component_templates(prefix)))
            for policy in lifecycle_policies(prefix):
                quiet.ilm.delete_lifecycle(name=policy)
            client.close()
