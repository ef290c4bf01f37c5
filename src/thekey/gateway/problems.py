"""RFC 9457 problem details: every error the gateway returns is ``application/problem+json``.

Generic HTTP failures use the type ``about:blank`` with the status phrase as the title (RFC 9457
§4.2.1); domain failures name a type URI under ``PROBLEM_BASE`` whose last segment says what went
wrong (``invalid-json``, ``invalid-request``, …) so a client can switch on it.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from starlette.responses import JSONResponse

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://thekey.dev/problems/"


class Problem(Exception):
    """Raised by a handler to answer with a problem document."""

    def __init__(self, status: int, detail: str, *, kind: str | None = None, **extensions: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind
        self.extensions = extensions

    def response(self, instance: str | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
        return problem_response(self.status, self.detail, kind=self.kind, instance=instance, headers=headers,
                                **self.extensions)  # fmt: skip


def problem_response(
    status: int,
    detail: str,
    *,
    kind: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    phrase = HTTPStatus(status).phrase
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + kind if kind else "about:blank",
        "title": kind.replace("-", " ").capitalize() if kind else phrase,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extensions)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)
