"""Where things are: the repository (on the host, and as the guests see it), and the lab's own secrets."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GUEST_REPO = "/vagrant"  # the repository, synced into every guest
SECRETS = REPO / ".promlab" / "secrets"
GRAFANA_PASSWORD = SECRETS / "grafana-admin-password"
