"""The lab's Alertmanager and alert receiver, reached on the node's lab address."""

import requests

from labclient.lab import lab


def alertmanager_url():
    return lab().endpoints("alertmanager")[0].host_url


def receiver_url():
    return lab().endpoints("alertmanager", key="receiver_port")[0].host_url


def notifications():
    """Every notification Alertmanager sent the lab's receiver (with its token), oldest first."""
    reply = requests.get(f"{receiver_url()}/alerts", timeout=5)
    reply.raise_for_status()
    return [n for n in reply.json() if n.get("by") == "alertmanager"]


def received(since, alertname, node, status):
    """Alerts in notifications after index `since` with that name, node and status ('firing'/'resolved')."""
    return [a for n in notifications()[since:] for a in n["alerts"]
            if a["labels"].get("alertname") == alertname and a["labels"].get("node") == node and a["status"] == status]
