"""``/api/v1/docs``: the OpenAPI spec rendered as a plain page on the server (Swagger UI would load its
JavaScript from a CDN; this page needs none). The machine-readable spec is ``/api/v1/openapi.json``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from triage_api.deps import OptionalUser
from triage_api.pages.common import render

router = APIRouter(include_in_schema=False)
METHOD_ORDER = ("get", "post", "put", "patch", "delete")


def _schema_name(schema: dict[str, Any] | None) -> str:
    if not schema:
        return ""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"list[{_schema_name(schema.get('items'))}]"
    if "anyOf" in schema:
        return " | ".join(_schema_name(s) or str(s.get("type", "")) for s in schema["anyOf"])
    return str(schema.get("type", ""))


def operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per operation: method, path, summary, tag, parameters, body and response schema names."""
    found: list[dict[str, Any]] = []
    no_content: dict[str, Any] = {}
    for path, methods in spec.get("paths", {}).items():
        for method in METHOD_ORDER:
            op = methods.get(method)
            if op is None:
                continue
            body = op.get("requestBody", {}).get("content", {})
            body_schema = next(iter(body.values()), no_content).get("schema") if body else None
            ok = next((c for c in op.get("responses", {}) if c.startswith("2")), None)
            ok_content = op.get("responses", {}).get(ok, {}).get("content", {}) if ok else {}
            ok_schema = next(iter(ok_content.values()), no_content).get("schema") if ok_content else None
            found.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "tag": (op.get("tags") or ["system"])[0],
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "required": p.get("required", False),
                            "type": _schema_name(p.get("schema")),
                            "description": p.get("description", ""),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "body": _schema_name(body_schema),
                    "status": ok,
                    "returns": _schema_name(ok_schema),
                    "errors": sorted(c for c in op.get("responses", {}) if not c.startswith("2")),
                }
            )
    return sorted(found, key=lambda o: (o["tag"], o["path"], METHOD_ORDER.index(o["method"].lower())))


@router.get("/api/v1/docs", response_class=HTMLResponse)
def api_docs(request: Request, user: OptionalUser) -> HTMLResponse:
    spec = request.app.openapi()
    return render(
        request,
        "api_docs.html",
        user,
        info=spec.get("info", {}),
        operations=operations(spec),
        schemas=sorted(spec.get("components", {}).get("schemas", {})),
    )
