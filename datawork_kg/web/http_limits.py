"""How long a client may take to send a request: a deadline for its headers and body.

uvicorn's h11 protocol waits for a request's headers and body as long as the client keeps the
connection open, so a client sending one byte a minute (or nothing at all after connecting) holds a
connection forever, and many of them exhaust the server. :func:`protocol_with_read_deadline` makes
an h11 protocol class that gives each request ``read_timeout`` seconds, from its first byte (or from
the connection being opened) until its last body byte; a request still incomplete then is answered
``408 Request Timeout`` (when nothing was answered yet) and its connection closed. Idle kept-alive
connections between requests are left to uvicorn's keep-alive timeout.
"""
from __future__ import annotations

import asyncio

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

DEFAULT_READ_TIMEOUT = 20.0  # seconds to send one request's headers and body


def protocol_with_read_deadline(read_timeout: float = DEFAULT_READ_TIMEOUT) -> type[H11Protocol]:
    """An uvicorn h11 protocol class that ends requests not fully received within ``read_timeout`` s."""

    class ReadDeadlineH11Protocol(H11Protocol):
        _deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def connection_lost(self, exc) -> None:
            self._disarm()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if self._deadline is None and self.conn.their_state is h11.IDLE:
                self._arm()  # the first bytes of the next request on a kept-alive connection
            super().data_received(data)
            if self.conn.their_state not in (h11.IDLE, h11.SEND_BODY):
                self._disarm()  # the whole request is in

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

        def _expired(self) -> None:
            self._deadline = None
            if self.transport.is_closing() or self.conn.their_state not in (h11.IDLE, h11.SEND_BODY):
                return
            if self.conn.our_state is h11.IDLE and (self.cycle is None or self.cycle.response_complete):
                body = f"the request was not received within {read_timeout:g} s\n".encode()
                self.transport.write(b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
                                     b"connection: close\r\ncontent-length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
            self.transport.close()

    ReadDeadlineH11Protocol.__name__ = ReadDeadlineH11Protocol.__qualname__ = "ReadDeadlineH11Protocol"
    return ReadDeadlineH11Protocol


__all__ = ["protocol_with_read_deadline", "DEFAULT_READ_TIMEOUT"]
