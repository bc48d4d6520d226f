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

It holds against slow or many clients (served.py, installed beside it: Tornado, one event loop): a request's
headers must all come within seconds, a body is read only with the token and within its size, connections are bounded
in all. Alertmanager's own (from the receiver's address: the same node) never count against that bound.

It runs with the distribution's python3 and python3-tornado.
"""

import argparse
import hmac
import json
import os
import sys
import time

import served  # beside this program (provision/files/)

KEEP = 1000
MAX_BODY = 1 << 20
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


def routes(store, token):
    """The receiver's routes ([(path, Route, kwargs)]), recording into `store` what carries `token`."""
    recorded = load(store)
    expected = f"Bearer {token}".encode()

    class Alerts(served.Route):
        most = MAX_BODY

        def admit(self):
            if not hmac.compare_digest(self.request.headers.get("Authorization", "").encode(), expected):
                return 401, {"error": "a bearer token is required"}
            return None

        def post(self):
            try:
                entry = summary(json.loads(bytes(self.body)))
            except (ValueError, UnicodeDecodeError, RecursionError) as e:
                return self.reply(400, {"error": f"not a webhook notification: {str(e)[:200]}"})
            append(store, entry)
            recorded.append(entry)
            del recorded[:-KEEP]
            for alert in entry["alerts"]:
                labels = alert["labels"]
                line = f"{alert['status'].upper()} {labels.get('alertname')} {labels.get('node', '-')} ({labels.get('job', '-')})"
                print(line.encode("unicode_escape").decode()[:300], flush=True)
            return self.reply(200, {"recorded": len(entry["alerts"])})

        def get(self):
            return self.reply(200, list(recorded))

    class Healthy(served.Route):
        def get(self):
            return self.reply(200, "ok", kind="text/plain")

    class Elsewhere(served.Route):
        def admit(self):
            return 404, {"error": "POST or GET /alerts, GET /-/healthy"}

        def get(self):
            return self.reply(*self.admit())

    return [(r"/alerts", Alerts), (r"/-/healthy", Healthy), (r".*", Elsewhere)]


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", required=True, help="ADDRESS:PORT")
    parser.add_argument("--store", required=True, help="file the notifications are appended to")
    parser.add_argument("--token-file", required=True, help="file holding the bearer token senders must present")
    args = parser.parse_args(argv)
    address, _, port = args.listen.rpartition(":")
    token = read_token(args.token_file)
    def start():
        server = served.listen(routes(args.store, token), address, int(port))
        print(f"alert receiver listening on {address}:{server.port}, recording into {args.store}", flush=True)

    served.run(start)


if __name__ == "__main__":
    main(sys.argv[1:])
