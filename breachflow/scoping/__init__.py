"""Scoping: what leaked and about whom."""

from breachflow.scoping.service import analyse_dataset, scope_dataset

__all__ = ["analyse_dataset", "scope_dataset"]
