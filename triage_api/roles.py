"""The four roles of the desk and the authenticated principal every protected route receives."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal


class Role(StrEnum):
    admin = "admin"  # everything, including users, routing rules and reopening
    analyst = "analyst"  # works the queue: triage, assign, notes, locks, verdicts, known claims
    board = "board"  # search and read only
    unit = "unit"  # sees and answers only the incidents routed to its unit


ROLES: tuple[str, ...] = tuple(r.value for r in Role)


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user authenticated by bearer token or by the page's session cookie."""

    username: str
    role: Role
    unit: str | None = None
    auth: Literal["token", "session"] = "token"
    session_id: str | None = None
    csrf_token: str | None = None

    @property
    def is_staff(self) -> bool:
        """Admins and analysts see every incident."""
        return self.role in (Role.admin, Role.analyst)
