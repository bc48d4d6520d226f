"""The exercises' data sets of the lab: where their Prometheus answers, then each with the time a check asks it at and
what is in it (the exercise guide sends students here to look at one themselves).

    python3 -m labclient.datasets [en|fr]
"""

import sys
import time

from labclient.lab import loaded
from provision.datasets import DATASETS


def main(argv):
    lang = argv[0] if argv else "en"
    where = loaded().datasets.host_url
    print(f"Prometheus des jeux de données\u202f: {where}" if lang == "fr" else f"the data sets' Prometheus: {where}")
    for dataset in (d for d in DATASETS.values() if d.applies(loaded())):
        fr, en = dataset.describe(loaded())
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(dataset.end))
        print(f"{dataset.name:<18} {stamp}  {fr if lang == 'fr' else en}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
