"""The lab as lab.yaml describes it, for the host side: loaded on first use, not at import.

A command that reads it (green, status, the exercises) catches inventory.InventoryError and says the
one sentence; nothing fails at import time because LAB_FILE names a bad file.
"""

import functools

from provision import inventory


@functools.cache
def lab():
    """The checked lab (provision/model.py answers every question derived from it)."""
    return inventory.load()
