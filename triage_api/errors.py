"""How MediaWatch errors become HTTP answers, and the error schema the OpenAPI spec documents."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from records.errors import ConfigError, ConflictError, InputError, MediaWatchError, NotFoundError, StoreError


class ForbiddenError(MediaWatchError):
    """The caller is authenticated but its role may not do this to this record (403)."""


class ErrorOut(BaseModel):
    """Every non-validation error: one readable sentence."""

    detail: str


def _json(status_code: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status_code)


async def _not_found(_: Request, exc: Exception) -> JSONResponse:
    return _json(status.HTTP_404_NOT_FOUND, str(exc) or "not found")


async def _conflict(_: Request, exc: Exception) -> JSONResponse:
    return _json(status.HTTP_409_CONFLICT, str(exc) or "conflict")


async def _forbidden(_: Request, exc: Exception) -> JSONResponse:
    return _json(status.HTTP_403_FORBIDDEN, str(exc) or "forbidden")


async def _bad_input(_: Request, exc: Exception) -> JSONResponse:
    return _json(status.HTTP_400_BAD_REQUEST, str(exc) or "bad input")


async def _unavailable(_: Request, exc: Exception) -> JSONResponse:
    return _json(status.HTTP_503_SERVICE_UNAVAILABLE, f"service unavailable: {type(exc).__name__}")


async def _http_exception(request: Request, exc: Exception) -> Response:
    """FastAPI's answer, except that a 422 raised with a plain message gets the documented shape of
    every 422 (a list of validation errors), so clients parse one format."""
    if isinstance(exc, StarletteHTTPException) and exc.status_code == 422 and isinstance(exc.detail, str):
        error = {"type": "value_error", "loc": ["body"], "msg": exc.detail}
        return JSONResponse({"detail": [error]}, status_code=422, headers=exc.headers)
    return await http_exception_handler(request, exc)  # type: ignore[arg-type]


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_exception_handler(NotFoundError, _not_found)
    app.add_exception_handler(ConflictError, _conflict)
    app.add_exception_handler(InputError, _bad_input)
    app.add_exception_handler(ForbiddenError, _forbidden)
    app.add_exception_handler(StoreError, _unavailable)
    app.add_exception_handler(ConfigError, _unavailable)


def _doc(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}


# Responses every protected API route may give; routers pass this as ``responses=``.
COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _doc("Malformed input (a readable message)"),
    401: _doc("Not authenticated"),
    403: _doc("Authenticated but not allowed"),
    404: _doc("No such record (or not visible to this user)"),
    409: _doc("Conflict: a stale version or another analyst's lock"),
    413: _doc("Request body too large"),
}
