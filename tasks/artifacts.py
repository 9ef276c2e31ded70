"""Artifact helpers shared by the tasks and flows."""

from __future__ import annotations


def artifact_key(kind: str, incident_id: str) -> str:
    """Prefect artifact keys allow lowercase letters, digits and dashes only."""
    return f"{kind}-{incident_id}".lower().replace("_", "-")
