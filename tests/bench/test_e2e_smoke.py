"""bench/e2e.py stays runnable: the whole response at 300 persons prints every field, and its counts agree.

The targets (速報 draft in 5 minutes, 60 minutes in all, 4 GB, 2x the bare baselines, linear
growth) are for 1,000,000 persons; at 300 the start-up of the processes decides the times,
so they are only printed here. What holds at any size is asserted: the scoped persons are
N, the sink received exactly the emails the ledger records as sent, each channel got the
persons the list gives it, and Prefect made a handful of runs, not one per person.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent.parent
BENCH = REPO / "bench" / "e2e.py"

pytestmark = pytest.mark.e2e


def _bench(*args: str) -> str:
    done = subprocess.run([sys.executable, str(BENCH), *args], cwd=REPO, capture_output=True, text=True, timeout=900,
                          check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def test_e2e_benchmark_at_300_persons_prints_every_field_and_consistent_counts(tmp_path):
    """A 300-person run prints milestones, stages, memory by process, Prefect runs and the baseline ratio; counts agree."""
    out = _bench("--persons", "300", "--work", str(tmp_path / "work"), "--json", str(tmp_path / "e2e.json"))
    for field in ("速報 draft written", "all emails accepted", "letters, labels, call list", "whole response (wall)",
                  "bare smtplib, one connection", "letters + labels alone", "polars read of the list"):
        assert re.search(re.escape(field) + r" +\d+\.\d s", out), field
    assert re.search(r"whole response / sum of bare baselines = \d+\.\d\dx", out)
    assert re.search(r"all processes of the response together: [\d,]+ MB", out)
    assert re.search(r"flow runs \d+, task runs [\d,]+", out)
    assert "persons scoped: 300   (N = 300)" in out

    r = json.loads((tmp_path / "e2e.json").read_text(encoding="utf-8"))["results"][0]
    assert r["problems"] == [] and r["run_exit_code"] == 0
    assert r["persons_scoped"] == r["outcome"]["persons"] == 300
    expected, ledger = r["expected_channels"], r["ledger"]
    assert expected["email"] and expected["letter"] and expected["phone"]  # every channel is exercised
    assert r["sink"]["messages"] == r["emails_sent_ledger"] == ledger["email"]["sent"] == expected["email"]
    assert ledger["letter"] == {"rendered": expected["letter"]}
    assert sum(ledger["phone"].values()) == expected["phone"]
    ms = r["stages"]["milestones"]
    assert 0 < ms["preliminary_draft_s"] < ms["emails_accepted_s"] <= ms["letters_labels_calls_ready_s"] < ms["total_s"]
    assert sum(r["stages"]["seconds"][k] for k in r["stages"]["seconds"] if not k.startswith(" ")) == pytest.approx(
        ms["total_s"], rel=1e-6
    )
    assert r["prefect"]["flow_runs"] == 5  # incident-response and its four stage flows
    assert r["prefect"]["tasks"]["send-email-batch"]["runs"] == 1
    assert r["prefect"]["task_runs"] < 60  # O(batches), not O(persons)
    roles = r["memory"]["roles"]
    assert {"cli run", "cli server (deployments)", "prefect server", "smtp sink"} <= set(roles)
    assert r["memory"]["peak_total_mb"] >= roles["cli run"]["peak_mb"] > 0
    assert r["baselines"]["smtp"]["sink"]["messages"] == r["baselines"]["smtp"]["emails"] == expected["email"]

    # Two sizes side by side: the linearity table, from saved numbers (no second run).
    larger = json.loads(json.dumps(r))
    larger["persons_requested"] = 3000
    (tmp_path / "both.json").write_text(json.dumps({"results": [r, larger]}), encoding="utf-8")
    table = _bench("--show", str(tmp_path / "both.json"))
    assert re.search(r"linearity: 300 vs 3,000 persons \(10x the persons; target ≤ 11\.0x the time\)", table)
    assert re.search(r"total_s +\d+\.\d +\d+\.\d +1\.00x +ok", table)
