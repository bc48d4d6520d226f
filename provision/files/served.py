"""How promlab's own services in the guests (the alert receiver, the classroom service) are served: by Tornado
(Debian's python3-tornado in the guests, PyPI's on the host for the tests), one event loop in one thread, so that an
idle or slow connection costs a few kilobytes, never a thread. Installed beside the programs that import it
(/usr/local/lib/promlab/).

Every connection is bounded as a whole, whatever its address: a class behind NAT (VirtualBox gives every forwarded
connection 10.0.2.2, docker its bridge's gateway, libvirt's tunnel one address) shares one, so no share is per address.
- The request line and the headers together must arrive within HEADERS_WITHIN seconds of the connection (or of the
  previous answer, on a kept-alive one) and hold at most HEADER_BYTES in all: Tornado reads them as one block up to
  that size before it parses a header, and closes a connection that trickles, stalls or sends more.
- A body must arrive within BODY_WITHIN seconds and hold at most the route's own `most` bytes: past that, 413 is
  answered before a byte of it is read (Route.prepare), the connection then closed.
- At most MOST connections are open at once; a new one past that is closed at once, nothing read. Connections from
  the server's own address when it listens on one (Alertmanager posting to its receiver on the same node) do not count:
  others' connections cannot keep them out.
What a client may do once authenticated (reports per student per minute, ...) is the service's to bound.
"""

import asyncio
import json
import socket

from tornado import httpserver, netutil, web

HEADERS_WITHIN = 3.0
BODY_WITHIN = 5.0
HEADER_BYTES = 16 << 10
MOST = 1024  # the units allow 2048 open files
CHUNK = 16 << 10  # what one read takes from a socket


class Route(web.RequestHandler):
    """A service's handler: answers carry their length and are never cached, JSON unless told otherwise; errors are
    JSON too; nothing is logged per request. A POST's body is read only after `admit` (authentication, rate) allowed
    it and its declared length is within `most`."""

    most = 0  # the largest body a POST may carry: none unless the route says so

    def set_default_headers(self):
        self.set_header("Cache-Control", "no-store")
        self.clear_header("Server")

    def compute_etag(self):
        return None

    def reply(self, status, body, kind="application/json", close=False):
        self.set_status(status)
        self.set_header("Content-Type", kind)
        if status == 401:
            self.set_header("WWW-Authenticate", "Bearer")
        if close:  # said to the client; Tornado closes a connection whose body it has not read once answered
            self.set_header("Connection", "close")
        self.finish(json.dumps(body) if kind == "application/json" else body)

    def write_error(self, status_code, **kwargs):
        self.finish(json.dumps({"error": self._reason}))

    def admit(self):
        """For a POST, before its body is read: None to read it, else (status, body) refused with."""
        return None

    def refused(self, status):
        """Told of each POST refused before its body was read (a service's counters)."""

    async def prepare(self):
        """Every route streams its request body (listen() makes it so): nothing of a body is read before this has
        admitted it, whatever the method or path."""
        self.body = bytearray()
        headers = self.request.headers
        if "Transfer-Encoding" in headers:
            refused = (400, {"error": "a body is sent with its Content-Length, not in chunks"})
        elif self.request.method != "POST":
            if headers.get("Content-Length", "0") == "0":
                return
            refused = (400, {"error": f"{self.request.method} takes no body"})
        else:
            refused = self.admit()
            if refused is None:
                length = headers.get("Content-Length", "")
                if not length.isascii() or not length.isdigit() or len(length) > 12:
                    refused = (400, {"error": "no Content-Length"})
                elif int(length) > self.most:
                    refused = (413, {"error": f"a body of at most {self.most} bytes"})
        if refused is not None:
            self.refused(refused[0])
            self.reply(*refused, close=True)

    def data_received(self, chunk):
        if len(self.body) + len(chunk) > self.most:  # past what was admitted: let go (Tornado bounds it too)
            self.request.connection.close()
            return
        self.body += chunk


class Server(httpserver.HTTPServer):
    """Tornado's HTTP server with the bounds above, and a count of the connections it holds."""

    def initialize(self, *args, own=None, most=MOST, **kwargs):
        super().initialize(*args, **kwargs)
        self.own, self.most, self.held = own, most, set()

    def handle_stream(self, stream, address):
        mine = self.own is not None and bool(address) and address[0] == self.own
        if not mine:
            if len(self.held) >= self.most:
                stream.close()  # past the bound in all: closed at once, nothing read
                return
            self.held.add(stream)
        super().handle_stream(stream, address)

    def on_close(self, server_conn):
        self.held.discard(server_conn.stream)
        super().on_close(server_conn)


def listen(routes, address, port, ssl=None, most=MOST):
    """A server for `routes` ([(path regex, Route class, kwargs)]) listening on address:port (0.0.0.0: every
    interface), TLS when `ssl` is an ssl.SSLContext; it serves once the event loop runs. Returns the server (its
    `port` attribute: the port bound, for port 0)."""
    routes = [(path, web.stream_request_body(route), *rest) for path, route, *rest in routes]
    app = web.Application(routes, log_function=lambda handler: None, compress_response=False)
    server = Server(app, ssl_options=ssl, max_header_size=HEADER_BYTES, idle_connection_timeout=HEADERS_WITHIN,
                    body_timeout=BODY_WITHIN, max_body_size=max(r[1].most for r in routes), chunk_size=CHUNK,
                    max_buffer_size=max(r[1].most for r in routes) + HEADER_BYTES,
                    own=None if address in ("0.0.0.0", "::", "") else address, most=most)
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sockets = netutil.bind_sockets(port, address, family=family, backlog=128)
    server.add_sockets(sockets)
    server.port = sockets[0].getsockname()[1]
    return server


def run(*starts):
    """Runs the event loop for ever, after calling each of `starts` (functions that create servers) inside it."""
    async def main():
        for start in starts:
            start()
        await asyncio.Event().wait()

    asyncio.run(main())
