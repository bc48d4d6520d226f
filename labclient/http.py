"""One HTTP vocabulary for the running lab: its clients (Prometheus, Alertmanager and its receivers, Grafana, the
classroom, the exercises' own requests) send through `request`, and a request that gets no answer is Unreachable,
said in the same words everywhere (`why`, in both languages). Unreachable is one of requests' own errors: a caller
that catches those catches it too."""

import requests

TIMEOUT = 5  # seconds: every service of the lab answers in far less


def why(error):
    """Why a request got no answer, in words a student reads ({"en": ..., "fr": ...}), from requests' exception."""
    if isinstance(error, Unreachable):
        return error.why
    if isinstance(error, requests.exceptions.SSLError):
        return {"en": "its certificate is refused", "fr": "son certificat est refusé"}
    if isinstance(error, requests.Timeout):
        return {"en": "no answer in time", "fr": "pas de réponse à temps"}
    if isinstance(error, requests.ConnectionError):
        return {"en": "nothing answers there", "fr": "rien n'y répond"}
    return {"en": "its answer cannot be read", "fr": "sa réponse ne se lit pas"}


class Unreachable(requests.RequestException):
    """A service of the lab does not answer at its URL; str() names the URL and why, in words (never an exception's
    name); .url and .why (both languages) for a sentence of one's own."""

    def __init__(self, url, error=None):
        self.url, self.why = url, why(error)
        super().__init__(f"{url} ({self.why['en']})")


def request(method, url, at=None, timeout=TIMEOUT, **kwargs):
    """requests' reply to `method url`; Unreachable naming `at` (the service's base URL; `url` itself by default) when
    none comes."""
    try:
        return requests.request(method, url, timeout=timeout, **kwargs)
    except requests.RequestException as e:
        raise Unreachable(at or url, e) from None


def get(url, **kwargs):
    return request("GET", url, **kwargs)


def post(url, **kwargs):
    return request("POST", url, **kwargs)
