"""The user's language for what the lab says: --lang fr|en, else $LAB_LANG, else $LANG (standard library only: `make
doctor` runs before `make venv`)."""

import os


def language(argv=()):
    """--lang fr|en, else $LAB_LANG, else French when $LANG starts with fr, else English."""
    argv = list(argv)
    if "--lang" in argv and argv.index("--lang") + 1 < len(argv):
        lang = argv[argv.index("--lang") + 1]
    else:
        lang = os.environ.get("LAB_LANG") or ("fr" if os.environ.get("LANG", "").startswith("fr") else "en")
    return lang if lang in ("fr", "en") else "en"
