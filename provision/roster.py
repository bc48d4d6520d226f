"""The classroom's roster and each student's credential: read by `make classroom` on the teacher's computer (the join
lines it prints) and by the classroom role in the guest (the hashes the service checks), from the same two things:
the teacher's roster file and the classroom's secret (.promlab/secrets/classroom-secret, made once).

A roster holds one student per line, a name or a seat number ("Zoé Martin", "seat 12"); blank lines and lines
starting with # are skipped. A student's credential is derived from the secret and the name (HMAC-SHA256): printed
once for the teacher to hand out, never stored; the service holds only its sha256.
"""

import base64
import hashlib
import hmac
import re
import unicodedata

MOST = 200  # students in one classroom
NAME = re.compile(r"[^\W_](?:(?:[^\W_]|[ .'’-]){0,38}[^\W_])?")  # letters (any script), digits, space . ' ’ -; 40 at most
ALLOWED = "1 to 40 letters, digits, spaces, dots, apostrophes or hyphens, starting and ending with a letter or digit"


class RosterError(ValueError):
    """One sentence naming the line, its value and what is allowed."""


def read(text, where="roster"):
    """The students' names, in the roster's order; RosterError for the first line that is not one."""
    names, seen = [], {}
    for number, line in enumerate(text.split("\n"), 1):  # lines end at \n only (\r\n too): no other separator
        name = unicodedata.normalize("NFC", line.removesuffix("\r").strip(" \t"))
        if not name or name.startswith("#"):
            continue
        if not NAME.fullmatch(name) or any(unicodedata.category(ch) == "Cf" for ch in name):
            raise RosterError(f"{where}, line {number}: {name[:60]!r} is not a student's name or seat; allowed: {ALLOWED}")
        if name.casefold() in seen:
            raise RosterError(f"{where}, line {number}: {name!r} is already line {seen[name.casefold()]}; allowed: each "
                              "student once")
        seen[name.casefold()] = number
        names.append(name)
    if not names:
        raise RosterError(f"{where}: no student; allowed: one student per line, # for a comment")
    if len(names) > MOST:
        raise RosterError(f"{where}: {len(names)} students; allowed: {MOST} at most")
    return names


def credential(secret, name):
    """The student's credential: 32 URL-safe characters derived from the classroom's secret and the name."""
    digest = hmac.new(secret.encode(), b"promlab classroom student:" + name.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:32]


def hashes(secret, names):
    """{sha256 of a credential: name}: what the service checks a report's credential against."""
    return {hashlib.sha256(credential(secret, n).encode()).hexdigest(): n for n in names}
