"""What every screen of the page shares: the logged-in user (or a redirect to the login form),
role checks with a Vietnamese 403 page, and rendering with the base context."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse

from triage_api.deps import OptionalUser
from triage_api.roles import Principal, Role

ALL_ROLES: tuple[Role, ...] = tuple(Role)
READERS: tuple[Role, ...] = (Role.admin, Role.analyst, Role.board)
STAFF: tuple[Role, ...] = (Role.admin, Role.analyst)


class LoginRequired(Exception):
    """Raised by page dependencies when nobody is logged in: answered with a redirect to /login."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class PageForbidden(Exception):
    """The logged-in user's role may not open this screen or do this action (rendered as a 403 page)."""


async def page_forbidden_handler(request: Request, exc: Exception) -> HTMLResponse:
    return render(
        request,
        "forbidden.html",
        None,
        status_code=status.HTTP_403_FORBIDDEN,
        message=str(exc) or "Vai trò của bạn không được làm việc này.",
    )


async def login_required_handler(_: Request, exc: Exception) -> RedirectResponse:
    next_path = exc.next_path if isinstance(exc, LoginRequired) else "/"
    return RedirectResponse(f"/login?next={quote(next_path, safe='/')}", status_code=status.HTTP_303_SEE_OTHER)


def page_user(*roles: Role) -> Callable[..., Any]:
    """A page dependency: the logged-in user with one of ``roles`` (redirect to login; 403 otherwise)."""

    async def _dependency(request: Request, user: OptionalUser) -> Principal:
        if user is None:
            target = request.url.path if request.method == "GET" else "/"
            raise LoginRequired(target)
        if user.role not in roles:
            raise PageForbidden("Vai trò của bạn không được mở trang này.")
        return user

    return _dependency


AnyPageUser = Annotated[Principal, Depends(page_user(*ALL_ROLES))]
ReaderPageUser = Annotated[Principal, Depends(page_user(*READERS))]
StaffPageUser = Annotated[Principal, Depends(page_user(*STAFF))]
WorkerPageUser = Annotated[Principal, Depends(page_user(Role.admin, Role.analyst, Role.unit))]


def render(
    request: Request,
    template: str,
    user: Principal | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render a template with the base context (user, CSRF token)."""
    templates = request.app.state.templates
    return templates.TemplateResponse(
        request,
        template,
        {"user": user, "csrf_token": user.csrf_token if user else None, **context},
        status_code=status_code,
    )
