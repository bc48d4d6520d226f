#!/usr/bin/env python3
"""promlab's alert receiver: records every notification Alertmanager sends to its webhook.

    alert_receiver.py --listen ADDRESS:PORT --store FILE --token-file FILE

POST /alerts   Alertmanager's webhook (JSON, version 4), with `Authorization: Bearer <token>`
               (the token file's content; Alertmanager's http_config.authorization reads the
               same token from its own copy). Without the token: 401; a body that is not a
               webhook notification: 400 (413 when over 1 MiB). Either way nothing is written.
               Each notification is appended to FILE as one JSON line (FILE is rotated to
               FILE.1 past 1 MiB) and logged as one line per alert, e.g.
               "FIRING InstanceDown node3 (node)".
GET /alerts    the notifications recorded, oldest first (JSON list), the last 1000.
GET /-/healthy "ok".

It holds against slow or many clients: a connection that does not send its request within TIMEOUT seconds is
closed; requests are served by a bounded pool of threads, with bounded connections per address and in all
(bounded_server.py, installed beside it). A sender that stalls (or many) cannot keep
Alertmanager's notifications waiting: they come from the receiver's own address, which has a lane of its own.

Standard library only: it runs with the distribution's python3.
"""

import argparse
import hmac
import json
import os
import sys
import threading
import time

from bounded_server import BoundedServer
from bounded_server import Handler as Answering  # beside this program (provision/files/)

KEEP = 1000
MAX_BODY = 1 << 20
TIMEOUT = 3  # seconds a connection may take to send its request (each read)
ROTATE_AT = 1 << 20
WRITER = "alertmanager"  # what an authenticated record says wrote it


class Malformed(ValueError):
    """The body is not a webhook notification."""


def _text(value, where):
    if not isinstance(value, str):
        raise Malformed(f"{where} is not a string")
    return value


def summary(notification):
    """The record of a notification; Malformed when it is not one."""
    if not isinstance(notification, dict):
        raise Malformed("the body is not a JSON object")
    alerts = notification.get("alerts")
    if not isinstance(alerts, list):
        raise Malformed("alerts is not a list")
    records = []
    for i, alert in enumerate(alerts):
        if not isinstance(alert, dict):
            raise Malformed(f"alerts[{i}] is not an object")
        labels = alert.get("labels", {})
        if not isinstance(labels, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in labels.items()):
            raise Malformed(f"alerts[{i}].labels is not a map of strings")
        records.append({"status": _text(alert.get("status"), f"alerts[{i}].status"), "labels": labels,
                        "startsAt": alert.get("startsAt"), "endsAt": alert.get("endsAt")})
    return {"received": time.time(), "by": WRITER, "status": _text(notification.get("status"), "status"),
            "receiver": notification.get("receiver"), "alerts": records}


def read_token(path):
    with open(path) as f:
        token = f.read().strip()
    if len(token) < 32:
        raise SystemExit(f"{path}: the token is shorter than 32 characters")
    return token


def append(store, entry):
    """Append one record; past ROTATE_AT the file becomes FILE.1 (one old file kept)."""
    try:
        if os.path.getsize(store) > ROTATE_AT:
            os.replace(store, f"{store}.1")
    except FileNotFoundError:
        pass
    with open(store, "a") as f:
        f.write(json.dumps(entry) + "\n")


def load(store):
    try:
        with open(store) as f:
            return [json.loads(line) for line in f if line.strip()][-KEEP:]
    except (FileNotFoundError, ValueError):
        return []


def serve(address, port, store, token):
    lock = threading.Lock()
    recorded = load(store)
    expected = f"Bearer {token}".encode()

    class Handler(Answering):
        timeout = TIMEOUT  # each read of the request: a client that stalls is let go

        def do_POST(self):  # noqa: N802 - the http.server API
            if self.path != "/alerts":
                return self.reply(404, {"error": "POST /alerts only"})
            if not hmac.compare_digest(self.headers.get("Authorization", "").encode(), expected):
                return self.reply(401, {"error": "a bearer token is required"}, close=True)
            try:
                length = int(self.headers.get("Content-Length", ""))
            except ValueError:
                return self.reply(400, {"error": "no Content-Length"}, close=True)
            if not 0 <= length <= MAX_BODY:
                return self.reply(413, {"error": f"a body of at most {MAX_BODY} bytes"}, close=True)
            try:
                entry = summary(json.loads(self.rfile.read(length)))
            except (ValueError, UnicodeDecodeError, RecursionError) as e:
                return self.reply(400, {"error": f"not a webhook notification: {str(e)[:200]}"})
            with lock:
                append(store, entry)
                recorded.append(entry)
                del recorded[:-KEEP]
            for alert in entry["alerts"]:
                labels = alert["labels"]
                line = f"{alert['status'].upper()} {labels.get('alertname')} {labels.get('node', '-')} ({labels.get('job', '-')})"
                print(line.encode("unicode_escape").decode()[:300], flush=True)
            return self.reply(200, {"recorded": len(entry["alerts"])})

        def do_GET(self):  # noqa: N802 - the http.server API
            if self.path == "/-/healthy":
                return self.reply(200, "ok")
            if self.path == "/alerts":
                with lock:
                    return self.reply(200, list(recorded))
            return self.reply(404, {"error": "GET /alerts or /-/healthy"})

    server = BoundedServer((address, port), Handler, name="receiver")
    print(f"alert receiver listening on {address}:{port}, recording into {store}", flush=True)
    return server


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", required=True, help="ADDRESS:PORT")
    parser.add_argument("--store", required=True, help="file the notifications are appended to")
    parser.add_argument("--token-file", required=True, help="file holding the bearer token senders must present")
    args = parser.parse_args(argv)
    address, _, port = args.listen.rpartition(":")
    serve(address, int(port), args.store, read_token(args.token_file)).serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
