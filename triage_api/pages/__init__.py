"""The analysts' server-rendered page (Jinja2, Vietnamese): one module per screen."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
