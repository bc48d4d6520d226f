"""The lab's Grafana HTTP API, reached on the host through the forwarded port."""

from labclient import http
from labclient.lab import loaded


def base_url():
    return loaded().endpoints("grafana")[0].host_url


class Grafana:
    def __init__(self):
        self.url = base_url()
        component = loaded().components["grafana"]
        self.admin = (component["admin_user"], component["admin_password"])

    def get(self, path, auth="admin"):
        return http.get(self.url + path, at=self.url, auth=self.admin if auth == "admin" else auth, timeout=10)

    def post(self, path, body):
        return http.post(self.url + path, at=self.url, json=body, auth=self.admin, timeout=10)
