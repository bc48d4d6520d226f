"""The workshop's exercises: one module per exercise (exNN_<what>.py), each holding one EXERCISE.

    python3 -m exercises                 the list, with what each one teaches
    python3 -m exercises N               check exercise N on the running lab (make exercise N)
    python3 -m exercises N hint          the next hint of exercise N, one at a time
    python3 -m exercises N start         prepare exercise N (exercise 12 breaks something)
    python3 -m exercises reset N         back to the start of exercise N, undoing only its own changes
"""

import importlib

MODULES = ("ex01_targets", "ex02_memory", "ex03_rates", "ex04_histogram", "ex05_interval", "ex06_node", "ex07_by_hand",
           "ex08_relabel", "ex09_recording", "ex10_alert", "ex11_dashboard", "ex12_troubleshoot",
           "ex13_replica", "ex14_otel_names", "ex15_native_histogram", "ex16_target_info")


def exercises():
    """{number: Exercise}, in order."""
    found = [importlib.import_module(f"exercises.{name}").EXERCISE for name in MODULES]
    return {e.number: e for e in sorted(found, key=lambda e: e.number)}
