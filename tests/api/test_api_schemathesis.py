"""Property-based tests of the whole API against its own OpenAPI spec (schemathesis, in-process ASGI):
no 5xx, no response that breaks its documented schema or content type, no undocumented status code.
Bounded (a few examples per operation) so the module runs well under a minute."""

from __future__ import annotations

import shutil

import pytest
import schemathesis
from api_seed import NOW, ROLE_USERS, SECRET
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from mediawatch.settings import REPO_ROOT, Settings
from store.sqlite_store import SQLiteStore
from tests.factories import FrozenClock
from triage_api.app import create_app

EXAMPLES_PER_OPERATION = 8
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, status_code_conformance]


# The app is built at import (schemathesis reads its spec to generate the tests); the store is
# plugged in by the fixture below before any request is sent.
APP = create_app(Settings(secret_key=SECRET, config_dir=REPO_ROOT / "config"), clock=FrozenClock(NOW))
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def fuzz_store(seed, tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    shutil.copy(seed.path, path)
    store = SQLiteStore(path)
    APP.state.store = store
    yield store
    APP.state.store = None
    store.close()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_api_conforms_to_its_schema(case, seed):
    token = seed.tokens[ROLE_USERS["admin"]]
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
