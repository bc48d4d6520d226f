"""The host's client of a running lab: its model (lab), Prometheus, Alertmanager and Grafana clients, the user's language,
faults to break it on purpose, and two commands (`python -m labclient.green`, `python -m labclient.status`).

labtests/, exercises/ and scripts/ use it; it uses provision/ (the model of the lab) and nothing above.
"""
