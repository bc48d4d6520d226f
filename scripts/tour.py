"""The tour's tables, from docs/tour.yaml (the pages of each Prometheus web UI, the first queries): the blocks
docs/{en,fr}/tour.md hold (tests/test_docs.py keeps them equal), so that the guide and the browser test read one table.

    python3 -m scripts.tour en|fr
"""

import sys

import yaml

from provision.french import french
from provision.paths import REPO

TOUR = REPO / "docs" / "tour.yaml"
WORDS = {
    "en": {"head": "| Prometheus | query | targets | alerts |",
           "react": "3, from its release (lab.yaml's default), or Debian's 3.5 (`examples/forky.yaml`: its UI built by "
                    "`make up`)",
           "classic": "Debian 13's 2.53 (`LAB_INSTALL_METHOD=apt`)", "queries": "| query | what it shows |"},
    "fr": {"head": "| Prometheus | requêtes | cibles | alertes |",
           "react": "3, depuis sa publication (le défaut de lab.yaml), ou le 3.5 de Debian (`examples/forky.yaml`\u202f: "
                    "son interface construite par `make up`)",
           "classic": "le 2.53 de Debian 13 (`LAB_INSTALL_METHOD=apt`)", "queries": "| requête | ce qu'elle montre |"},
}


def tour():
    return yaml.safe_load(TOUR.read_text(encoding="utf-8"))


def pages_table(lang):
    w, uis = WORDS[lang], tour()["uis"]
    rows = [w["head"], "| --- | --- | --- | --- |"]
    rows += [f"| {w[kind]} | `{ui['query']}` | `{ui['targets']}` | `{ui['alerts']}` |" for kind, ui in uis.items()]
    return "\n".join(rows) + "\n"


def queries_table(lang):
    w = WORDS[lang]
    rows = [w["queries"], "| --- | --- |"]
    rows += [f"| `{q['query']}` | {french(q['fr']) if lang == 'fr' else q['en']} |" for q in tour()["queries"]]
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    lang = sys.argv[1] if len(sys.argv) > 1 else "en"
    print(f"<!-- tour pages -->\n{pages_table(lang)}<!-- tour queries -->\n{queries_table(lang)}", end="")
