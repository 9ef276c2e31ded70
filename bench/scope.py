"""Benchmark: scoping a 1,000,000-row CP932 customer list against a bare polars baseline.

The baseline decodes the same file (CP932), reads it as text with polars and runs the same
group-bys (prefecture, birth decade, gender, occupation, distinct names). Each measurement
runs in its own subprocess so that ``ru_maxrss`` is that measurement's peak memory.

    .venv/bin/python bench/scope.py            # 1,000,000 rows
    .venv/bin/python bench/scope.py --rows 200000

Target (issue 2): full scope within 1.5x of the baseline, peak memory under 2 GB, i.e.
2,000,000,000 bytes: memory is printed in decimal megabytes (10^6 bytes) so that the
comparison against 2,000 MB is the target itself.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET_MB = 2_000  # 2 GB in decimal megabytes
sys.path.insert(0, str(REPO))


def dataset(rows: int) -> Path:
    """The cached synthetic list of ``rows`` rows (ten columns, ~5% duplicates)."""
    from breachflow.scoping.synthetic import GENERATOR_VERSION, generate_customers, write_csv

    path = Path(tempfile.gettempdir()) / "breachflow-bench" / f"customers-{rows}-v{GENERATOR_VERSION}.csv"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        data = generate_customers(n=round(rows / 1.05), seed=42, with_transaction=False)
        partial = path.with_suffix(".partial")
        write_csv(partial, data, encoding="cp932")
        partial.rename(path)
        print(f"generated {len(data.rows):,} rows in {time.perf_counter() - started:.1f} s -> {path}")
    return path


def baseline(path: Path) -> None:
    """Bare polars: decode, read as text, the same group-bys."""
    import polars as pl

    from breachflow.scoping.normalize import PREFECTURES

    text = path.read_bytes().decode("cp932")
    frame = pl.read_csv(text.encode("utf-8"), infer_schema=False)
    pattern = "^(" + "|".join(PREFECTURES) + ")"
    frame.group_by(pl.col("ご住所").str.extract(pattern, 1)).len()
    frame.group_by(pl.col("生年月日").str.slice(0, 3)).len()
    frame.group_by("性別").len()
    frame.group_by("ご職業").len()
    frame.select(pl.col("お名前").n_unique())


def scope_summary(path: Path) -> None:
    """Classification, normalisation, merge and breakdowns (persons kept as a frame)."""
    from breachflow.scoping import analyse_dataset

    analyse_dataset(path=path)


def scope_full(path: Path) -> None:
    """The contract ``scope_dataset``: summary plus the PersonList of pydantic models."""
    from breachflow.scoping import scope_dataset

    scope_dataset(path=path)


MEASURES = {"baseline": baseline, "scope": scope_summary, "scope_dataset": scope_full}


def _peak_mb() -> float:
    """This process's peak RSS in decimal MB (10^6 bytes).

    ``ru_maxrss`` survives exec, so a child forked from a parent that had just generated
    the list would report the parent's peak; VmHWM belongs to the exec'd image only.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1e6  # the kernel's "kB" is KiB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


def measure(name: str, path: Path) -> dict[str, float]:
    """Run one measurement in a fresh interpreter; its time and peak RSS."""
    out = subprocess.run(
        [sys.executable, __file__, "--measure", name, str(path)], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    """Generate (or reuse) the list, measure each variant, print times, ratios and memory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="rounds (each runs every variant); the best time counts")
    parser.add_argument("--measure", nargs=2, metavar=("VARIANT", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        name, path = args.measure
        # Imports are not what is compared: load them before the clock starts.
        import polars  # noqa: F401

        import breachflow.scoping  # noqa: F401

        started = time.perf_counter()
        MEASURES[name](Path(path))
        seconds = time.perf_counter() - started
        print(json.dumps({"seconds": seconds, "peak_mb": _peak_mb()}))
        return
    path = dataset(args.rows)
    print(f"dataset: {path} ({path.stat().st_size / 1e6:.0f} MB, CP932)")
    # Rounds interleave the variants, so that a slow spell of a shared machine hits them
    # alike; each variant's best round counts.
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in MEASURES}
    for _ in range(args.repeat):
        for name in MEASURES:
            runs[name].append(measure(name, path))
    results = {}
    for name, measured in runs.items():
        results[name] = {"seconds": min(r["seconds"] for r in measured), "peak_mb": max(r["peak_mb"] for r in measured)}
        times = ", ".join(f"{r['seconds']:.2f}" for r in measured)
        print(f"{name:>14}: {results[name]['seconds']:6.2f} s   peak {results[name]['peak_mb']:7.0f} MB   (rounds: {times})")
    base = results["baseline"]["seconds"]
    for name in ("scope", "scope_dataset"):
        ratio = results[name]["seconds"] / base
        verdict = "within" if ratio <= 1.5 else "OVER"
        print(f"ratio {name}/baseline: {ratio:.2f}x ({verdict} the 1.5x target)")
    peak = max(r["peak_mb"] for r in results.values() if r is not results["baseline"])
    verdict = "under" if peak < TARGET_MB else "OVER"
    print(f"peak memory of scoping: {peak:.0f} MB ({verdict} the 2 GB = {TARGET_MB:,} MB target)")


if __name__ == "__main__":
    main()
