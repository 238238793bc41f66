"""The analysts' server-rendered page (Jinja2, Vietnamese): one module per group of screens."""

from fastapi import APIRouter

from triage_api.pages import apidocs, audit, auth, explore, incident, queue, reference

router = APIRouter(include_in_schema=False)
for _module in (auth, queue, incident, explore, reference, audit, apidocs):
    router.include_router(_module.router)
