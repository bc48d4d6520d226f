"""The student's language and French typography; standard library only (`make doctor` runs before `make venv`)."""

import os
import re


def language(argv=()):
    """--lang fr|en, else $LAB_LANG, else French when $LANG starts with fr, else English."""
    argv = list(argv)
    if "--lang" in argv and argv.index("--lang") + 1 < len(argv):
        lang = argv[argv.index("--lang") + 1]
    else:
        lang = os.environ.get("LAB_LANG") or ("fr" if os.environ.get("LANG", "").startswith("fr") else "en")
    return lang if lang in ("fr", "en") else "en"


def french(text):
    """French typography: a narrow no-break space (U+202F) before : ; ? ! and inside « »."""
    text = re.sub(r"[ \u00a0]([:;?!»])", "\u202f\\1", text)
    return re.sub(r"«[ \u00a0]", "«\u202f", text)
