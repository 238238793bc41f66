"""The triage desk: the HTTP API under ``/api/v1`` and the analysts' server-rendered page.

    app.py          create_app(settings, *, store=None, pipeline=None, on_claims_changed=None, clock=utcnow)
    deps.py         StoreDep, SettingsDep, ClockDep, HooksDep, CurrentUser, OptionalUser, require_roles(...)
    roles.py        Role (admin, analyst, board, unit), Principal (the authenticated caller)
    schemas.py      request/response models (ItemPublic, IncidentPublic, IncidentDetail, VerdictIn, ...)
    services/       keyword-only functions behind the routes: workflow, claims, users, search,
                    saved_searches, routing_rules, audit, queue (they audit-log every change)
    routers/        API routers (every module with ``router`` is included; other teams add theirs)
    pages/          the Vietnamese page: login, queue, incident, search, dashboard, sources, claims,
                    routing, audit, API docs
    system.py       /healthz and /metrics (names, booleans and counts only: never secrets)
    security.py     argon2 passwords, API tokens stored as SHA-256 digests, signed session cookies
    charts.py       inline SVG charts (no JavaScript)
    bench.py        run(n_items=100_000) -> API p50/p95 for the queue and search
"""
