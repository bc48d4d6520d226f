#!/usr/bin/env python3
"""promlab's alert receiver: records every notification Alertmanager sends to its webhook.

    alert_receiver.py --listen ADDRESS:PORT --store FILE

POST /alerts   Alertmanager's webhook (JSON, version 4): each notification is appended
               to FILE as one JSON line and logged as one line per alert, e.g.
               "FIRING InstanceDown node3 (node)".
GET /alerts    the notifications recorded, oldest first (JSON list).
GET /-/healthy "ok".

Standard library only: it runs with the distribution's python3.
"""

import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KEEP = 1000


def summary(notification):
    return {
        "received": time.time(),
        "status": notification.get("status"),
        "receiver": notification.get("receiver"),
        "alerts": [{"status": a.get("status"), "labels": a.get("labels", {}), "startsAt": a.get("startsAt"), "endsAt": a.get("endsAt")}
                   for a in notification.get("alerts", [])],
    }


def serve(address, port, store):
    lock = threading.Lock()
    try:
        with open(store) as f:
            recorded = [json.loads(line) for line in f if line.strip()][-KEEP:]
    except FileNotFoundError:
        recorded = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            if self.path != "/alerts":
                return self.reply(404, {"error": "POST /alerts only"})
            try:
                notification = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            except ValueError as e:
                return self.reply(400, {"error": f"not JSON: {e}"})
            entry = summary(notification)
            with lock:
                recorded.append(entry)
                del recorded[:-KEEP]
                with open(store, "a") as f:
                    f.write(json.dumps(entry) + "\n")
            for alert in entry["alerts"]:
                labels = alert["labels"]
                print(f"{alert['status'].upper()} {labels.get('alertname')} {labels.get('node', '-')} ({labels.get('job', '-')})",
                      flush=True)
            return self.reply(200, {"recorded": len(entry["alerts"])})

        def do_GET(self):  # noqa: N802 - the http.server API
            if self.path == "/-/healthy":
                return self.reply(200, "ok")
            if self.path == "/alerts":
                with lock:
                    return self.reply(200, list(recorded))
            return self.reply(404, {"error": "GET /alerts or /-/healthy"})

        def reply(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer((address, port), Handler)
    print(f"alert receiver listening on {address}:{port}, recording into {store}", flush=True)
    server.serve_forever()


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", required=True, help="ADDRESS:PORT")
    parser.add_argument("--store", required=True, help="file the notifications are appended to")
    args = parser.parse_args(argv)
    address, _, port = args.listen.rpartition(":")
    serve(address, int(port), args.store)


if __name__ == "__main__":
    main(sys.argv[1:])
