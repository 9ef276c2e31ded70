"""Scoping and the leak check run where Linux-only calls are missing (macOS, Windows): they fall back, never fail."""

from __future__ import annotations

import os

from breachflow.leakcheck import scan
from breachflow.scoping import scope_dataset
from breachflow.scoping.synthetic import generate_customers, write_csv


def test_scope_and_leak_check_without_affinity_fadvise_or_memfd(tmp_path, monkeypatch):
    """With os.sched_getaffinity, os.posix_fadvise and os.memfd_create gone, a CP932 list scopes and a tree scans."""
    for name in ("sched_getaffinity", "posix_fadvise", "memfd_create"):
        monkeypatch.delattr(os, name, raising=False)
    data = generate_customers(n=400, seed=5)
    path = write_csv(tmp_path / "customers.csv", data)
    summary, _ = scope_dataset(path=path)
    assert summary.persons == data.persons
    report = scan(paths=[tmp_path], state_path=tmp_path / "state.json")
    assert report.counts.files_scanned >= 1 and report.findings
