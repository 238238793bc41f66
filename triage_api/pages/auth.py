"""Log in and out of the page: argon2 password check, throttled per user name and per address,
a server-side session in a signed, HttpOnly, SameSite=Lax cookie, CSRF on the login form itself."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from records.schema import AuditEntry
from triage_api import security
from triage_api.deps import OptionalUser, StoreDep
from triage_api.pages.common import render
from triage_api.services import users as users_service

router = APIRouter(include_in_schema=False)


def _safe_next(value: str | None) -> str:
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/queue"


def _login_form(request: Request, *, next_path: str, error: str | None = None, status_code: int = 200) -> Response:
    token = security.new_csrf_token()
    response = render(
        request, "login.html", None, status_code=status_code, login_csrf=token, next_path=next_path, error=error
    )
    response.set_cookie(
        security.LOGIN_CSRF_COOKIE,
        request.app.state.signer.sign_login_csrf(token),
        max_age=3600,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.public_base_url.startswith("https://"),
        path="/login",
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, user: OptionalUser, next: str | None = None) -> Response:
    if user is not None:
        return RedirectResponse(_safe_next(next), status_code=status.HTTP_303_SEE_OTHER)
    return _login_form(request, next_path=_safe_next(next))


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    store: StoreDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/queue",
) -> Response:
    state = request.app.state
    next_path = _safe_next(next)
    cookie_token = state.signer.unsign_login_csrf(request.cookies.get(security.LOGIN_CSRF_COOKIE, ""))
    if not security.same_secret(cookie_token, csrf_token):
        return _login_form(
            request,
            next_path=next_path,
            status_code=status.HTTP_403_FORBIDDEN,
            error="Phiên đăng nhập đã hết hạn hoặc không hợp lệ. Vui lòng thử lại.",
        )
    now = state.clock()
    name = username.strip().lower()
    client_ip = request.client.host if request.client else "unknown"
    keys = [f"user:{name}", f"ip:{client_ip}"]
    wait = state.login_limiter.retry_after_s(keys, now)
    if wait:
        response = _login_form(
            request,
            next_path=next_path,
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            error=f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {max(1, wait // 60)} phút.",
        )
        response.headers["Retry-After"] = str(wait)
        return response
    user = users_service.authenticate_password(store, username=name, password=password)
    if user is None:
        state.login_limiter.record_failure(keys, now)
        return _login_form(
            request,
            next_path=next_path,
            status_code=status.HTTP_401_UNAUTHORIZED,
            error="Sai tên đăng nhập hoặc mật khẩu.",
        )
    state.login_limiter.reset(f"user:{name}")
    max_age = security.SESSION_MAX_AGE_S
    session_id, _csrf = users_service.create_session(store, username=user.username, now=now, max_age_s=max_age)
    store.append_audit(AuditEntry(actor=user.username, action="auth.login", target=f"user:{user.username}"))
    response = RedirectResponse(next_path, status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        security.SESSION_COOKIE,
        state.signer.sign_session(session_id),
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=state.settings.public_base_url.startswith("https://"),
        path="/",
    )
    response.delete_cookie(security.LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(store: StoreDep, user: OptionalUser) -> Response:
    if user is not None and user.session_id:
        users_service.delete_session(store, session_id=user.session_id)
    response = RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(security.SESSION_COOKIE, path="/")
    return response


@router.get("/")
def home(user: OptionalUser) -> Response:
    return RedirectResponse("/queue" if user else "/login", status_code=status.HTTP_303_SEE_OTHER)
