"""French typography (standard library only: `make doctor` uses it before `make venv`)."""

import re


def french(text):
    """A narrow no-break space (U+202F) before : ; ? ! and inside « »."""
    text = re.sub(r"[ \u00a0]([:;?!»])", "\u202f\\1", text)
    return re.sub(r"«[ \u00a0]", "«\u202f", text)
