"""Requests refused before any route sees them: path tricks (dot segments, encoded slashes or dots,
backslashes, NUL; 400) and oversized URLs or bodies (413)."""
from __future__ import annotations

import re

MAX_BODY_BYTES = 1_000_000       # any request body
MAX_URL_BYTES = 200_000          # request line (uvicorn/h11 is told to accept this much)

_BAD_RAW = re.compile(rb"%2e|%2f|%5c|%00|\\|\x00", re.I)


class GuardMiddleware:
    """Refuse path tricks (dot segments, encoded slashes or dots, NUL) and oversized requests, early."""

    def __init__(self, app, max_body: int = MAX_BODY_BYTES, max_url: int = MAX_URL_BYTES) -> None:
        self.app = app
        self.max_body = max_body
        self.max_url = max_url

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        raw = scope.get("raw_path") or path.encode("utf-8", "surrogateescape")
        segments = path.split("/")
        bad = _BAD_RAW.search(raw) or any(s in (".", "..") for s in segments) or "\x00" in path or "\\" in path
        status, message = None, None
        if bad:
            status, message = 400, "bad request path (dot segments, encoded slashes or dots are not allowed)"
        elif len(raw) + len(scope.get("query_string", b"")) > self.max_url:
            status, message = 413, f"the request URL is longer than {self.max_url:,} bytes; POST the query instead"
        else:
            for k, v in scope.get("headers", []):
                if k == b"content-length":
                    try:
                        if int(v) > self.max_body:
                            status, message = 413, f"the request body is larger than {self.max_body:,} bytes"
                    except ValueError:
                        status, message = 400, "bad Content-Length"
        if status is None:
            return await self.app(scope, receive, send)
        body = (message + "\n").encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


__all__ = ["GuardMiddleware", "MAX_BODY_BYTES", "MAX_URL_BYTES"]
