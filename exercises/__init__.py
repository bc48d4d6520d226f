"""The workshop's exercises and their self-checks: `make exercise N` (python3 -m exercises N)."""
