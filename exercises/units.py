"""Units by dimension: every common unit a person gives a quantity in, each with its factor to the reference's unit
({unit: factor}: the student's value times the factor is the value in the reference's unit).

Bytes and bits, decimal multiples (kB = 1000 bytes, as disks and network rates are sold) and binary ones
(KiB = 1024 bytes, as memory is counted), the same per second; a share as a ratio, a percentage or a per mille.
French names use French symbols (o for octet, Mo, Kio)."""

from exercises.base import say

DECIMAL = (("k", "k", 1e3), ("M", "M", 1e6), ("G", "G", 1e9), ("T", "T", 1e12))
BINARY = (("Ki", "Ki", 2**10), ("Mi", "Mi", 2**20), ("Gi", "Gi", 2**30), ("Ti", "Ti", 2**40))


def _sizes(per=""):
    """{unit: factor to bytes}: bytes and bits with their decimal and binary multiples, `per` after each ("/s")."""
    found = {say("octets" if not per else "o" + per, "bytes" if not per else "B" + per): 1,
             say("bits" if not per else "bit" + per, "bits" if not per else "bit" + per): 1 / 8}
    for fr, en, factor in DECIMAL + BINARY:
        # ko, kB (k lower case in both); Kio, KiB
        found[say(f"{fr}o{per}", f"{en}B{per}")] = factor
        found[say(f"{fr}bit{per}", f"{en}bit{per}")] = factor / 8
    return found


BYTES = _sizes()
BYTES_PER_SECOND = _sizes("/s")
SHARE_ONLY = say("part de 0 à 1", "share from 0 to 1")
SHARE = {SHARE_ONLY: 1, say("%", "%"): 0.01, say("‰", "‰"): 0.001}
