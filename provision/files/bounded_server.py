"""An HTTP server that holds against slow or many clients, and the handler that answers for it, for promlab's own
services in the guests (the alert receiver, the classroom service): each connection's reads time out (the handler's
`timeout`), requests are served by a bounded pool of threads, each client address may hold PER_CLIENT connections at
once and all together MAX_CONNECTIONS; the others are closed at once, nothing read. Installed beside the programs that
import it (/usr/local/lib/promlab/).

Standard library only: it runs with the distribution's python3.
"""

import json
import socket
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, HTTPServer

WORKERS = 16
PER_CLIENT = 4
MAX_CONNECTIONS = 64


class BoundedServer(HTTPServer):
    """An HTTP server with a bounded pool of workers and bounded connections, per client address and in all. The
    server's own address (a service on the same node: Alertmanager posting to its receiver, Prometheus scraping) has
    a lane of its own: the pool busy with others' stalled requests does not keep it waiting.

    per_client=None: no share per address, the bound in all only: for a port that many clients reach through one
    address (a forwarded port: VirtualBox's NAT gives every connection 10.0.2.2, docker's proxy its bridge's gateway,
    libvirt's tunnel the node's own address), where a share per address would be the whole class's."""

    request_queue_size = 128  # connections waiting to be accepted (then served or closed at once)

    def __init__(self, address, handler, workers=WORKERS, per_client=PER_CLIENT, most=MAX_CONNECTIONS, name="server"):
        super().__init__(address, handler)
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self.own = ThreadPoolExecutor(max_workers=per_client or PER_CLIENT, thread_name_prefix=f"{name}-own")
        self.per_client, self.most = per_client or most, most
        self.active, self.guard = Counter(), threading.Lock()

    def process_request(self, request, client_address):
        peer = client_address[0]
        own = peer == self.server_address[0]
        with self.guard:
            others = sum(n for p, n in self.active.items() if p != self.server_address[0])
            if self.active[peer] >= self.per_client or (not own and others >= self.most):
                self.shutdown_request(request)  # over its share: closed at once, nothing read
                return
            self.active[peer] += 1
        (self.own if own else self.pool).submit(self._serve, request, client_address, peer)

    def _serve(self, request, client_address, peer):
        try:
            self.finish_request(request, client_address)
        except (OSError, socket.timeout):
            pass
        finally:
            self.shutdown_request(request)
            with self.guard:
                self.active[peer] -= 1
                if not self.active[peer]:
                    del self.active[peer]

    def server_close(self):
        super().server_close()
        for lane in (self.pool, self.own):
            lane.shutdown(wait=False, cancel_futures=True)


class Handler(BaseHTTPRequestHandler):
    """A request handler whose answers carry their length and are never cached; JSON unless told otherwise. A 401
    asks for a bearer token; `close` ends the connection (a body left unread must not be taken for the next request).
    Nothing is logged per request."""

    def reply(self, status, body, close=False, kind="application/json"):
        data = (json.dumps(body) if kind == "application/json" else body).encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        if status == 401:
            self.send_header("WWW-Authenticate", "Bearer")
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass
