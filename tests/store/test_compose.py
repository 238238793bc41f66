"""docker-compose.yml: structure checked with yaml always; rendered by docker compose when a CLI is here."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "docker-compose.yml"
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|API_KEY")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def test_services_and_profiles(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"elasticsearch", "es02", "es03", "kibana", "es-init", "api", "crawler"} <= set(services)
    assert "profiles" not in services["elasticsearch"], "one Elasticsearch node runs by default"
    assert services["es02"]["profiles"] == ["cluster"] and services["es03"]["profiles"] == ["cluster"]
    assert services["kibana"]["profiles"] == ["kibana"]
    assert "serve" in services["api"]["command"]
    assert "mediawatch crawl --sources" in " ".join(services["crawler"]["command"])
    assert services["es-init"]["command"][:2] == ["mediawatch", "es-setup"]
    assert any(s.get("build") for s in services.values()) and (REPO / "Dockerfile").is_file()


def test_healthchecks_and_dependency_conditions(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name, service in services.items():
        if name != "es-init":  # a one-shot job: others wait for it to complete
            assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
        for dep, cond in (service.get("depends_on") or {}).items():
            assert dep in services
            assert cond["condition"] in ("service_healthy", "service_completed_successfully"), (name, dep)
            if cond["condition"] == "service_healthy":
                assert services[dep].get("healthcheck"), f"{name} waits for {dep}, which has no healthcheck"
    assert services["api"]["depends_on"]["elasticsearch"]["condition"] == "service_healthy"
    assert services["api"]["depends_on"]["es-init"]["condition"] == "service_completed_successfully"


def test_named_volumes(compose: dict[str, Any]) -> None:
    declared = set(compose["volumes"])
    used = set()
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith((".", "/")):
                used.add(source)
            else:
                assert (REPO / source).exists(), source
    assert used == declared
    assert "esdata01" in declared


def test_no_default_secrets(compose: dict[str, Any]) -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    for name, default in re.findall(r"\$\{([A-Z0-9_]+):?-([^}]*)\}", text):
        if SECRET_NAME.search(name):
            assert default == "", f"${{{name}}} has a default value"
    assert "${ELASTIC_PASSWORD:?" in text and "${MEDIAWATCH_SECRET_KEY:?" in text
    for service in compose["services"].values():
        env = service.get("environment") or {}
        for key, value in env.items():
            if SECRET_NAME.search(key) and value not in (None, ""):
                assert "${" in str(value), f"{key} is set to a literal value"
    for env_file in (REPO / "deploy").glob("*.env"):
        assert not SECRET_NAME.search(env_file.read_text(encoding="utf-8")), env_file


def _compose_cli() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


def test_compose_cli_renders_and_requires_secrets(tmp_path: Path) -> None:
    cli = _compose_cli()
    if cli is None:
        pytest.skip("neither docker-compose nor the docker compose plugin is installed: checked with yaml only")
    env = {k: v for k, v in os.environ.items() if k not in ("ELASTIC_PASSWORD", "MEDIAWATCH_SECRET_KEY")}
    env["HOME"] = str(tmp_path)
    ok = subprocess.run(
        [*cli, "-f", str(COMPOSE), "--profile", "cluster", "--profile", "kibana", "config"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        env={**env, "ELASTIC_PASSWORD": "test-only", "MEDIAWATCH_SECRET_KEY": "test-only", "ES_TOPOLOGY": "cluster"},
    )
    assert ok.returncode == 0, ok.stderr
    rendered = yaml.safe_load(ok.stdout)
    assert {"elasticsearch", "es02", "es03", "kibana", "api"} <= set(rendered["services"])
    missing = subprocess.run(
        [*cli, "-f", str(COMPOSE), "config"], capture_output=True, text=True, timeout=60, cwd=REPO, env=env
    )
    assert missing.returncode != 0
    assert "ELASTIC_PASSWORD" in missing.stderr or "MEDIAWATCH_SECRET_KEY" in missing.stderr
