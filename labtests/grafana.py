"""The lab's Grafana HTTP API, reached on the host through the forwarded port."""

import requests

from labtests.lab import LAB, url_of


def base_url():
    return url_of(LAB.nodes_with("grafana")[0], LAB.components["grafana"]["port"])


class Grafana:
    def __init__(self):
        self.url = base_url()
        component = LAB.components["grafana"]
        self.admin = (component["admin_user"], component["admin_password"])

    def get(self, path, auth="admin"):
        return requests.get(self.url + path, auth=self.admin if auth == "admin" else auth, timeout=10)

    def post(self, path, body):
        return requests.post(self.url + path, json=body, auth=self.admin, timeout=10)
