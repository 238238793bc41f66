"""API routers: every module here that exposes ``router: APIRouter`` (prefix ``/api/v1/...``) is
included by ``triage_api.app.create_app``. Protect routes with ``triage_api.deps.require_roles``."""
