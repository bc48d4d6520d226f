"""The lab's Alertmanagers and their receivers, reached on the nodes' lab addresses.

With Alertmanager on several nodes (one cluster), each node's receiver records what its Alertmanager
sent: the lab's notifications are those of every receiver, merged in the order they were received.
"""

from labclient import http
from labclient.lab import loaded
from provision import credentials


def auth():
    """The lab's credentials Alertmanager's API asks for (basic auth)."""
    return credentials.alertmanager()


def api(method, url, **kwargs):
    """A call to an Alertmanager's API, signed in."""
    return http.request(method, url, auth=auth(), **kwargs)


def alertmanager_urls():
    return [e.host_url for e in loaded().endpoints("alertmanager")]


def alertmanager_url():
    """The first Alertmanager (in a cluster, any member answers for all)."""
    return alertmanager_urls()[0]


def receiver_urls():
    return [e.host_url for e in loaded().endpoints("alertmanager", key="receiver_port")]


def receiver_url():
    return receiver_urls()[0]


def notifications():
    """Every notification an Alertmanager sent a lab receiver (with its token), oldest first; each says which
    receiver recorded it ("at": its URL), so which Alertmanager sent it."""
    found = []
    for url in receiver_urls():
        reply = http.get(f"{url}/alerts", at=url)
        reply.raise_for_status()
        found += [dict(n, at=url) for n in reply.json() if n.get("by") == "alertmanager"]
    return sorted(found, key=lambda n: n["received"])


def received(since, alertname, node, status):
    """Alerts in notifications after index `since` with that name, node and status ('firing'/'resolved')."""
    return [a for n in notifications()[since:] for a in n["alerts"]
            if a["labels"].get("alertname") == alertname and a["labels"].get("node") == node and a["status"] == status]


def cluster(url):
    """An Alertmanager's view of its cluster: (status, number of peers) from /api/v2/status."""
    found = api("GET", f"{url}/api/v2/status").json()["cluster"]
    return found.get("status"), len(found.get("peers") or [])
