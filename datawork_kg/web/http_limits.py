"""How long a client may take to send a request, and how large its head may be.

uvicorn's HTTP protocols wait for a request's headers and body as long as the client keeps the
connection open, so a client sending one byte a minute (or nothing at all after connecting) holds a
connection forever, and many of them exhaust the server. :func:`protocol_with_read_deadline` makes
an uvicorn protocol class (httptools: the C parser, llhttp) that gives each request ``read_timeout``
seconds, from its first byte (or from the connection being opened) until its last body byte; a
request still incomplete then is answered ``408 Request Timeout`` (when nothing was answered yet) and
its connection closed. Idle kept-alive connections between requests are left to uvicorn's
keep-alive timeout.

llhttp itself puts no bound on the request line and headers, so the class also refuses a request
whose head (request line and headers) is larger than ``max_head`` bytes with ``431 Request Header
Fields Too Large`` and closes the connection, before the head is complete: URLs up to
:data:`datawork_kg.web.guard.MAX_URL_BYTES` pass (the guard answers 413 for longer ones).
"""
from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .guard import MAX_URL_BYTES

DEFAULT_READ_TIMEOUT = 20.0  # seconds to send one request's headers and body
DEFAULT_MAX_HEAD = MAX_URL_BYTES + 16_384  # bytes of request line and headers
LINGER = 2.0  # seconds a refused connection is drained before it is closed
_PARSE_URL_MAX = 65_535  # the longest request target httptools.parse_url reads


def protocol_with_read_deadline(read_timeout: float = DEFAULT_READ_TIMEOUT,
                                max_head: int = DEFAULT_MAX_HEAD) -> type[HttpToolsProtocol]:
    """An uvicorn httptools protocol class that ends requests not fully received within ``read_timeout`` s
    and refuses request heads larger than ``max_head`` bytes."""

    class ReadDeadlineProtocol(HttpToolsProtocol):
        _deadline: asyncio.TimerHandle | None = None
        _receiving = False   # from a request's first byte to its last body byte
        _in_head = False     # from a request's first byte to the end of its headers
        _head_bytes = 0
        _refused = False

        def connection_made(self, transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def connection_lost(self, exc) -> None:
            self._disarm()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if self._refused:
                return  # read and dropped until the lingering close (see _refuse)
            if self._deadline is None and not self._receiving:
                self._arm()  # the first bytes of the next request on a kept-alive connection
            super().data_received(data)
            if self.transport.is_closing():
                return
            if self._in_head:
                self._head_bytes += len(data)
                if self._head_bytes > max_head:
                    self._refuse(b"431 Request Header Fields Too Large",
                                 f"the request line and headers are larger than {max_head:,} bytes\n")
                    return
            if not self._receiving:
                self._disarm()  # the whole request is in

        # parser callbacks
        def on_message_begin(self) -> None:
            self._receiving, self._in_head, self._head_bytes = True, True, 0
            super().on_message_begin()

        def on_headers_complete(self) -> None:
            self._in_head, self._head_bytes = False, 0
            # httptools.parse_url (which uvicorn calls here) keeps offsets in 16 bits: a request target
            # longer than 64 KiB is refused as invalid. Long GET queries are allowed up to the guard's
            # limit, so such a target is split here and its query string put back into the scope
            # (the request's task has been created, not run, when this returns).
            query = None
            if len(self.url) > _PARSE_URL_MAX:
                self.url, _, query = self.url.partition(b"?")
            super().on_headers_complete()
            if query is not None and self.scope.get("query_string") is not None:
                self.scope["query_string"] = query

        def on_message_complete(self) -> None:
            self._receiving = False
            super().on_message_complete()

        def on_response_complete(self) -> None:
            self._disarm()
            super().on_response_complete()

        def _arm(self) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(read_timeout, self._expired)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _answering(self) -> bool:
            """Whether a response has been started and not finished (nothing else may be written)."""
            return self.cycle is not None and not self.cycle.response_complete and self.cycle.response_started

        def _expired(self) -> None:
            self._deadline = None
            if self.transport.is_closing():
                return
            if not self._receiving and self.cycle is not None and not self.cycle.response_complete:
                return  # the request is in and being answered
            if self.cycle is None or self.cycle.response_complete:
                self._refuse(b"408 Request Timeout", f"the request was not received within {read_timeout:g} s\n")
            else:
                self.transport.close()

        def _refuse(self, status: bytes, message: str) -> None:
            """Answer ``status`` (unless a response is under way) and close the connection.

            The close lingers: the answer is followed by the end of our side of the stream, and what the
            client still sends is read and dropped for up to LINGER seconds. Closing at once with its
            bytes unread would reset the connection, and the client could lose the answer."""
            self._disarm()
            if not self._answering():
                body = message.encode()
                self.transport.write(b"HTTP/1.1 " + status + b"\r\ncontent-type: text/plain; charset=utf-8\r\n"
                                     b"connection: close\r\ncontent-length: " + str(len(body)).encode() + b"\r\n\r\n"
                                     + body)
            if self.transport.can_write_eof():
                self._refused = True
                self.transport.write_eof()
                self.loop.call_later(LINGER, self.transport.close)
            else:
                self.transport.close()

    ReadDeadlineProtocol.__name__ = ReadDeadlineProtocol.__qualname__ = "ReadDeadlineProtocol"
    return ReadDeadlineProtocol


# the protocol of datawork serve (by name: ``datawork_kg.web.http_limits:ReadDeadlineProtocol``, as
# uvicorn's HTTP processes load it when there are several)
ReadDeadlineProtocol = protocol_with_read_deadline()

__all__ = ["ReadDeadlineProtocol", "protocol_with_read_deadline", "DEFAULT_READ_TIMEOUT", "DEFAULT_MAX_HEAD"]
