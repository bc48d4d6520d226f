"""Whether the Prometheus answering on the forwarded port is this checkout's lab: its page title says which lab it is
(Prometheus (promlab <id>), set by the provisioning from .promlab/secrets/lab-id, which the host makes once per checkout). Two
checkouts forward the same 127.0.0.1:9090: without this, the second one's `make status` and checks would read the
first one's lab as their own."""

from labclient.prom import QueryRefused, Unreachable
from provision import credentials
from provision.french import french

TITLE = "Prometheus (promlab {})"  # its tab in the browser still says Prometheus


def foreign(prometheus):
    """None when the Prometheus behind `prometheus` (a labclient client) is this checkout's lab, or does not answer
    (said elsewhere); else one sentence in both languages, {"en": ..., "fr": ...}, saying whose it is not."""
    try:
        title = prometheus.data("status/flags").get("web.page-title", "")
    except (Unreachable, QueryRefused):
        return None
    mine = credentials.known_lab_id()
    if mine and title == TITLE.format(mine):
        return None
    url = prometheus.url
    if title.startswith(TITLE.format("")[:-1]):
        whose = {"en": f"it is another promlab checkout's lab, {title}",
                 "fr": f"c'est le lab d'une autre copie de promlab, {title}"}
        what = {"en": "run `make down` in that checkout, then `make up` here",
                "fr": "lancez `make down` dans cette copie-là, puis `make up` ici"}
    else:
        whose = {"en": "it is not a promlab lab, or one provisioned before promlab named its labs",
                 "fr": "ce n'est pas un lab promlab, ou un lab provisionné avant que promlab nomme ses labs"}
        what = {"en": "stop that Prometheus, or `make provision` if it is this checkout's lab",
                "fr": "arrêtez ce Prometheus, ou `make provision` si c'est le lab de cette copie"}
    return {"en": f"The Prometheus answering at {url} is not this checkout's lab ({whose['en']}): {what['en']}.",
            "fr": french(f"Le Prometheus qui répond à {url} n'est pas le lab de cette copie ({whose['fr']}) : "
                         f"{what['fr']}.")}
