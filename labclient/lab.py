"""The lab as lab.yaml describes it, for the host side: loaded on first use, not at import.

A command that reads it (green, status, the exercises) catches inventory.InventoryError and says the
one sentence; nothing fails at import time because LAB_FILE names a bad file.
"""

import functools

from provision import inventory


@functools.cache
def loaded():
    """The checked lab, read once per process (provision/model.py answers every question derived from it). Its
    name wherever it is held is `lab` (`LAB` in the labtests, read once when they are collected); an exercise's reset
    reads lab.yaml as the student has it now: `Workspace.lab_now()`."""
    return inventory.load()
