"""Benchmark: the whole `breachflow run` on a generated CP932 list of N persons, against the stage baselines.

    .venv/bin/python bench/e2e.py                              # 100,000 persons
    .venv/bin/python bench/e2e.py --persons 1000000
    .venv/bin/python bench/e2e.py --persons 100000,1000000     # both sizes, side by side
    .venv/bin/python bench/e2e.py --persons 1000000 --against e2e-100k.json --json e2e-1m.json

One size: a CP932 list of N persons (~5% re-entered duplicates; ~62% reachable by email,
~32% by letter only, ~5% by phone only) is written with an intake YAML beside it. The bench
starts, in a private BREACHFLOW_HOME, a counting aiosmtpd sink in its own process and
`python -m cli server` (Prefect server + deployments), then times `python -m cli run FILE
--approve-as …` (intake → scope → obligations → notification → prevention, every gate
pre-approved) while sampling the RSS of every process in the tree every 0.5 s. Stage times
come from the flow and task runs on that server and from the case timeline (ids and counts
only). Afterwards, each in its own process, the bare baselines of the stage benchmarks run
on the same sizes: polars reading the list (bench/scope.py), bare smtplib on one connection
to the same kind of sink (bench/notify.py), the letters and labels alone (bench/notify.py).

Targets (issue 17, at 1,000,000 persons on the 2-core machine): 速報 draft < 5 min from
intake, whole response < 60 min, peak memory < 4 GB (every process of the response
together, decimal GB), Prefect task runs O(batches) (a few thousand at most), whole response
≤ 2× the sum of the bare baselines, every stage ≤ 11× its 100,000-person time. They are
printed with verdicts, never asserted. The bench exits non-zero when the scoped person count
is not N, when the sink received another number of emails than the ledger records as sent,
or when the run itself failed.
"""

from __future__ import annotations

import argparse
import atexit
import base64
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DEFAULT_PERSONS = 100_000
SEED = 17
E2E_VERSION = 1  # bumped whenever the same N produces another list (the cache keys on it)
PHONE_ONLY = 0.06  # share of single-row persons left with a phone number only
EMAIL_DROPPED = 0.06  # further share of single-row persons whose email is removed (a letter instead)
INCIDENT_PREFIX = "BENCH-E2E-"
APPROVER = "ベンチ 承認者"
TARGET_DRAFT_S = 5 * 60
TARGET_TOTAL_S = 60 * 60
TARGET_PEAK_MB = 4_000  # 4 GB in decimal megabytes, as bench/scope.py prints memory
TARGET_TASK_RUNS = 5_000  # "a few thousand at most"
TARGET_BASELINE_RATIO = 2.0
TARGET_LINEAR = 11.0
SAMPLE_INTERVAL = 0.5
BENCH_DIR = Path(tempfile.gettempdir()) / "breachflow-bench"


# ---------------------------------------------------------------- the list and the intake


def dataset(n: int) -> tuple[Path, dict]:
    """The cached list of ``n`` persons and its facts (rows, expected channels); generated in a child process."""
    from breachflow.scoping.synthetic import GENERATOR_VERSION

    path = BENCH_DIR / f"e2e-persons-{n}-g{GENERATOR_VERSION}-e{E2E_VERSION}.csv"
    facts = path.with_suffix(".json")
    if not (path.exists() and facts.exists()):
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--generate", str(n), str(path)], check=True)
        print(f"generated the list of {n:,} persons in {time.perf_counter() - started:.0f} s -> {path}", flush=True)
    return path, json.loads(facts.read_text(encoding="utf-8"))


def generate(n: int, path: Path) -> None:
    """Write the CP932 list of exactly ``n`` persons under the product's merge rule, and its facts beside it.

    The synthetic generator's persons are re-entered with one identifier kept; with ~100,000
    distinct names, persons who happen to share a name and an email (or birth date) would
    be merged at 1,000,000, as the rule says they must. Such persons get a distinguishing
    kanji appended to their name, and a re-entered row left with nothing valid to merge on
    is dropped, so that the list describes exactly ``n`` persons; the check is scoping
    itself (the product's rule), repeated until it finds ``n``.
    """
    from breachflow.scoping import analyse_dataset
    from breachflow.scoping.synthetic import (
        SyntheticList,
        generate_customers,
        write_csv,
    )

    data = generate_customers(n=n, seed=SEED, with_transaction=True)
    rows = data.rows
    by_customer: dict[str, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        by_customer[row["顧客番号"]].append(index)
    rng = random.Random(SEED + 1)
    for indices in by_customer.values():
        if len(indices) > 1:  # a re-entered person keeps its identifiers, so that it still merges
            continue
        row, draw = rows[indices[0]], rng.random()
        if draw < PHONE_ONLY:
            row.update({"メールアドレス": "", "〒": "", "ご住所": ""})
        elif draw < PHONE_ONLY + EMAIL_DROPPED:
            row["メールアドレス"] = ""
    partial = path.with_suffix(f".{os.getpid()}.partial")  # two benches generating at once write apart
    renamed, dropped, suffixes = 0, 0, "之乃丸吉助"
    for _ in range(len(suffixes) + 1):
        write_csv(partial, SyntheticList(headers=data.headers, rows=rows, persons=n), encoding="cp932")
        found = analyse_dataset(path=partial).persons.get_column("source_rows").to_list()
        # Persons name their rows by line number: the header is line 1, the first data row line 2.
        owners = [[rows[r - 2]["顧客番号"] for r in sources] for sources in found]
        mixed = [sorted(set(o), key=o.index) for o in owners if len(set(o)) > 1]
        seen: dict[str, int] = {}
        split: list[int] = []
        for person, numbers in enumerate(owners):
            for number in set(numbers):
                if number in seen:
                    split.append(person)
                seen.setdefault(number, person)
        if not mixed and not split:
            break
        for numbers in mixed:
            for number in numbers[1:]:
                for index in by_customer[number]:
                    rows[index]["お名前"] += suffixes[renamed % len(suffixes)]
                renamed += 1
        # A re-entered row the rule cannot merge: its only kept identifier is a phone number
        # phonenumbers calls invalid (the generator's 011-4xx and 011-9xx numbers, ~1%). It
        # is a person of its own under the rule; dropped, so that the list holds n persons.
        drop = {r - 2 for person in split for r in found[person]}
        dropped += len(drop)
        rows = [row for index, row in enumerate(rows) if index not in drop]
        by_customer = defaultdict(list)
        for index, row in enumerate(rows):
            by_customer[row["顧客番号"]].append(index)
    else:
        raise SystemExit(f"could not make a list of exactly {n} persons")
    channels = {"email": 0, "letter": 0, "phone": 0, "substitute": 0}
    for indices in by_customer.values():
        person = [rows[i] for i in indices]
        if any(r["メールアドレス"] for r in person):
            channels["email"] += 1
        elif any(r["〒"] and r["ご住所"] for r in person):
            channels["letter"] += 1
        elif any(_valid_phone(r["電話番号"]) for r in person):
            channels["phone"] += 1
        else:
            channels["substitute"] += 1
    facts = {"persons": n, "rows": len(rows), "channels": channels, "renamed_persons": renamed,
             "dropped_unmergeable_rows": dropped}
    partial.with_suffix(".json").write_text(json.dumps(facts), encoding="utf-8")
    partial.with_suffix(".json").rename(path.with_suffix(".json"))
    partial.rename(path)


def _valid_phone(text: str) -> bool:
    """Whether phonenumbers calls the number valid (the generator makes ~1% invalid ones, 011-4xx and 011-9xx)."""
    import unicodedata

    import phonenumbers

    number = unicodedata.normalize("NFKC", text).split("内線")[0].strip()
    try:
        return bool(number) and phonenumbers.is_valid_number(phonenumbers.parse(number, "JP"))
    except phonenumbers.NumberParseException:
        return False


def write_intake(folder: Path, data: Path, n: int) -> tuple[Path, str]:
    """The intake YAML of a theft of the list, next to a copy of it; returns its path and the incident id."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "customers.csv"
    try:
        os.link(data, target)
    except OSError:
        target.write_bytes(data.read_bytes())
    incident = f"{INCIDENT_PREFIX}{n}"
    today = date.today()
    text = f"""\
incident_id: {incident}
title: ベンチマーク用の事案（合成データ {n:,}名の顧客リスト）
business:
  name: 株式会社ベンチマーク商事
  sector: general
  role: controller
  kind: company
  address: 東京都千代田区丸の内一丁目1番1号
  representative: 代表取締役 試験 太郎
  desk:
    name: 個人情報お問合せ窓口
    phone: 0120-000-000
    email: privacy@example.invalid
    hours: 平日9時〜17時
discovered_on: '{today.isoformat()}'
occurred_on: '{(today - timedelta(days=1)).isoformat()}'
discovered_by: 営業部
event:
  kind: leak
  certainty: occurred
  cause: theft
  medium: electronic
  recovered_before_viewed: false
  summary: 営業担当者の鞄が盗まれ、顧客リストを保存したノートPCが持ち去られた（ベンチマーク用の合成データ）
protection:
  encryption: none
  key_compromised: false
  remote_wipe_done: false
data:
  subjects: [customer]
  dataset: customers.csv
jurisdictions: [JP]
"""
    path = folder / "incident.yaml"
    path.write_text(text, encoding="utf-8")
    return path, incident


# ---------------------------------------------------------------- processes


class Tree:
    """Every process the bench starts, stopped on exit (also on Ctrl-C, SIGTERM, SIGHUP)."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen] = []
        self.seen: dict[int, bytes] = {}  # pid -> /proc/pid/stat start time, so a reused pid is left alone
        atexit.register(self.stop_all)

    def popen(self, args: list[str], **kwargs) -> subprocess.Popen:
        """Start a child and remember it."""
        proc = subprocess.Popen(args, **kwargs)
        self.started.append(proc)
        return proc

    def remember(self, pid: int) -> None:
        """Note a descendant seen by the sampler, so that cleanup can reach it."""
        if pid not in self.seen:
            start = _start_time(pid)
            if start:
                self.seen[pid] = start

    def stop(self, proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
        """Signal one child and wait; kill it after ``timeout``."""
        if proc.poll() is None:
            proc.send_signal(sig)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def stop_all(self) -> None:
        """Stop every child started and every descendant ever seen that is still the same process."""
        for proc in reversed(self.started):
            if proc.poll() is None:
                # `cli server` stops its Prefect server on Ctrl-C; the others on SIGTERM.
                self.stop(proc, signal.SIGINT if "server" in proc.args else signal.SIGTERM, timeout=20)
        for pid, start in self.seen.items():
            if pid != os.getpid() and _start_time(pid) == start:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def _start_time(pid: int) -> bytes | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    return stat[stat.rindex(b")") + 2 :].split()[19]


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_bytes()
            except OSError:
                continue
            ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
            children[ppid].append(int(entry.name))
    return children


def _rss_mb(pid: int) -> tuple[float, float]:
    """Current and peak (VmHWM) RSS of a process in decimal MB; zeros once it is gone."""
    rss = hwm = 0.0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) * 1024 / 1e6
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) * 1024 / 1e6
    except OSError:
        pass
    return rss, hwm


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


class Sampler(threading.Thread):
    """Samples the RSS of every process below the bench, by role, every ``SAMPLE_INTERVAL`` seconds."""

    PRODUCT = ("cli run", "cli run: cp932 decoder", "cli run: letter workers", "cli server (deployments)",
               "prefect server")

    def __init__(self, tree: Tree, roles: dict[int, str], *, limit_mb: float | None = None) -> None:
        super().__init__(daemon=True, name="rss-sampler")
        self.tree, self.roles, self.limit_mb = tree, roles, limit_mb
        self.over_limit = threading.Event()  # the response's processes together passed ``limit_mb``
        self.started = time.time()
        self.peak_at = 0.0
        self.peak_sum: dict[str, float] = defaultdict(float)  # role -> max over samples of the role's summed RSS
        self.peak_one: dict[str, float] = defaultdict(float)  # role -> largest VmHWM of one of its processes
        self.count: dict[str, set[int]] = defaultdict(set)
        self.peak_total = 0.0
        self.samples = 0
        self.halt = threading.Event()

    def run(self) -> None:
        """Sample until stopped."""
        while not self.halt.is_set():
            self.sample()
            self.halt.wait(SAMPLE_INTERVAL)

    def sample(self) -> None:
        """One pass over the tree."""
        children = _children_map()
        sums: dict[str, float] = defaultdict(float)
        stack = [(c, None) for c in children.get(os.getpid(), [])]
        while stack:
            pid, inherited = stack.pop()
            role = self.roles.get(pid) or self._role(pid, inherited)
            self.tree.remember(pid)
            rss, hwm = _rss_mb(pid)
            sums[role] += rss
            self.peak_one[role] = max(self.peak_one[role], hwm)
            self.count[role].add(pid)
            stack.extend((c, role) for c in children.get(pid, []))
        for role, total in sums.items():
            self.peak_sum[role] = max(self.peak_sum[role], total)
        total = sum(v for r, v in sums.items() if r in self.PRODUCT)
        if total > self.peak_total:
            self.peak_total, self.peak_at = total, time.time() - self.started
        if self.limit_mb and total > self.limit_mb:
            self.over_limit.set()
        self.samples += 1

    def _role(self, pid: int, inherited: str | None) -> str:
        if inherited is None:  # a child of the bench not yet in ``roles`` (just started): known by its command line
            command = _cmdline(pid)
            for part, role in ((" -m cli run ", "cli run"), (" -m cli server", "cli server (deployments)"),
                               (" --sink ", "smtp sink")):
                if part in command:
                    return role
            return "bench helper"
        if inherited.startswith("cli run"):
            return "cli run: cp932 decoder" if "_cp932_child" in _cmdline(pid) else "cli run: letter workers"
        if inherited == "cli server (deployments)":
            return "prefect server" if "prefect" in _cmdline(pid) else inherited
        return inherited

    def stop(self) -> dict:
        """Stop sampling; the peaks by role."""
        self.halt.set()
        self.join()
        self.sample()
        return {
            "roles": {role: {"peak_mb": round(self.peak_sum[role]), "largest_process_peak_mb": round(self.peak_one[role]),
                             "processes": len(self.count[role])} for role in sorted(self.peak_sum)},
            "peak_total_mb": round(self.peak_total),
            "peak_total_at_s": round(self.peak_at, 1),
            "samples": self.samples,
        }


def start_sink(tree: Tree, count_file: Path) -> tuple[subprocess.Popen, int]:
    """A counting aiosmtpd sink in its own process, on a free loopback port."""
    import smtplib

    from deployments.server import free_port

    port = free_port()
    proc = tree.popen([sys.executable, __file__, "--sink", str(port), str(count_file)])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            smtplib.SMTP("127.0.0.1", port, timeout=1).quit()
            return proc, port
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.1)
    raise RuntimeError("the SMTP sink did not start")


def stop_sink(tree: Tree, proc: subprocess.Popen, count_file: Path) -> dict[str, int]:
    """Stop the sink; the messages and recipients it accepted."""
    tree.stop(proc, signal.SIGTERM)
    return json.loads(count_file.read_text(encoding="utf-8"))


def run_sink(port: int, count_file: Path) -> None:
    """The sink process: accept every message, count it, write the counts on exit (and every half second)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    class CountingSink(Sink):
        messages = 0
        recipients = 0

        async def handle_DATA(self, server, session, envelope):
            CountingSink.messages += 1
            CountingSink.recipients += len(envelope.rcpt_tos)
            return "250 OK"

    def write() -> None:
        tmp = count_file.with_suffix(".tmp")
        tmp.write_text(json.dumps({"messages": CountingSink.messages, "recipients": CountingSink.recipients}))
        tmp.replace(count_file)

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    controller = Controller(CountingSink(), hostname="127.0.0.1", port=port)
    controller.start()
    while not done.wait(0.5):
        write()
    controller.stop()
    write()


# ---------------------------------------------------------------- the run


def bench_env(home: Path, smtp_port: int) -> dict[str, str]:
    """The environment of every breachflow process of the bench: private home, master key, the sink as relay."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BREACHFLOW_", "PREFECT_"))}
    env.update(
        {
            "BREACHFLOW_HOME": str(home),
            "BREACHFLOW_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
            "BREACHFLOW_SMTP_HOST": "127.0.0.1",
            "BREACHFLOW_SMTP_PORT": str(smtp_port),
            "BREACHFLOW_SMTP_STARTTLS": "false",
            "BREACHFLOW_SMTP_SSL": "false",
            "PREFECT_HOME": str(home / "prefect-client"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PYTHONPATH": str(REPO),
        }
    )
    return env


def start_server(tree: Tree, home: Path, env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    """`python -m cli server` in the bench's home; its API address once the server is ready."""
    import httpx

    url_file = home / "prefect" / "api-url"
    proc = tree.popen([sys.executable, "-m", "cli", "server", "--port", str(_free_port())], cwd=REPO, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"`cli server` exited with {proc.returncode}; see {log}")
        if url_file.exists():
            api = url_file.read_text(encoding="utf-8").strip()
            try:
                if httpx.get(f"{api}/ready", timeout=2).status_code == 200:
                    return proc, api
            except httpx.HTTPError:
                pass
        time.sleep(0.5)
    raise RuntimeError(f"`cli server` was not ready within 180 s; see {log}")


def _free_port() -> int:
    from deployments.server import free_port

    return free_port()


def run_once(n: int, work: Path, *, baselines: bool, timeout_min: float | None = None,
             memory_limit_mb: float | None = None) -> dict:
    """One size: the whole run with the sink and server, then the bare baselines; every number in one dict."""
    data, facts = dataset(n)
    work.mkdir(parents=True, exist_ok=True)
    home = work / "home"
    intake, incident = write_intake(work / "intake", data, n)
    tree = Tree()
    result: dict = {"persons_requested": n, "dataset": str(data), "dataset_mb": round(data.stat().st_size / 1e6, 1),
                    "rows": facts["rows"], "expected_channels": facts["channels"], "work": str(work),
                    "list_fixes": {k: facts.get(k) for k in ("renamed_persons", "dropped_unmergeable_rows")},
                    "load_before": Path("/proc/loadavg").read_text().split()[:3]}
    problems: list[str] = []
    try:
        count_file = work / "sink-count.json"
        sink, port = start_sink(tree, count_file)
        env = bench_env(home, port)
        check = subprocess.run([sys.executable, "-m", "cli", "intake", "validate", str(intake)], cwd=REPO, env=env,
                               capture_output=True, text=True, check=False)
        if check.returncode:
            raise SystemExit(f"the intake does not validate:\n{check.stdout}{check.stderr}")
        server, api = start_server(tree, home, env, work / "cli-server.log")
        roles = {sink.pid: "smtp sink", server.pid: "cli server (deployments)"}
        sampler = Sampler(tree, roles, limit_mb=memory_limit_mb)
        sampler.start()
        print(f"[{n:,}] running `breachflow run` (logs: {work / 'run.log'}) …", flush=True)
        started = sampler.started = time.time()
        with (work / "run.log").open("wb") as log, (work / "run.json").open("wb") as out:
            run = tree.popen([sys.executable, "-m", "cli", "run", str(intake), "--approve-as", APPROVER, "--json"],
                             cwd=REPO, env=env, stdout=out, stderr=log)
            roles[run.pid] = "cli run"
            stopped = None
            while (code := run.poll()) is None:
                if timeout_min and time.time() - started > timeout_min * 60:
                    stopped = f"did not finish within {timeout_min:g} min"
                elif sampler.over_limit.is_set():
                    stopped = f"its processes passed {memory_limit_mb:,.0f} MB together (--memory-limit-mb)"
                if stopped:
                    # Stopped as Ctrl-C would stop it; what it finished by then is still measured.
                    tree.stop(run, signal.SIGINT, timeout=60)
                    break
                sampler.halt.wait(0.5)
        finished = time.time()
        result["timed_out"] = stopped is not None
        result["stopped"] = stopped
        if stopped:
            code = run.returncode
            problems.append(f"`breachflow run` was stopped: {stopped} (the numbers show how far it got)")
        memory = sampler.stop()
        result["run_exit_code"] = code
        if code and not result["timed_out"]:
            problems.append(f"`breachflow run` exited with {code} (see {work / 'run.log'})")
        try:
            outcome = json.loads((work / "run.json").read_text(encoding="utf-8") or "{}")
        except json.JSONDecodeError:
            outcome = {}
        result["outcome"] = {k: outcome.get(k) for k in ("persons", "notices_sent", "notices_prepared", "stages_done",
                                                           "stopped_at", "email_unsent", "email_outbox")}
        result["total_s"] = finished - started
        result["memory"] = memory
        result["prefect"] = prefect_runs(api, started)
        result["timeline"] = timeline_times(home, incident, started)
        status = subprocess.run([sys.executable, "-m", "cli", "notify", "status", incident, "--json"], cwd=REPO,
                                env=env, capture_output=True, text=True, check=False)
        result["ledger"] = json.loads(status.stdout)["counts"] if status.returncode == 0 else {}
        tree.stop(server, signal.SIGINT, timeout=30)
        result["sink"] = stop_sink(tree, sink, count_file)
        result["stages"] = stage_times(result, started)
    finally:
        tree.stop_all()
    persons = result["timeline"].get("persons")
    result["persons_scoped"] = persons
    if persons != n:
        problems.append(f"scoped persons {persons} ≠ N = {n}")
    sent = result["ledger"].get("email", {}).get("sent", 0)
    result["emails_sent_ledger"] = sent
    if result["sink"]["messages"] != sent:
        problems.append(f"the sink received {result['sink']['messages']} emails, the ledger records {sent} as sent")
    if result["outcome"].get("notices_sent") not in (None, sent):
        problems.append(f"the run reports {result['outcome']['notices_sent']} emails sent, the ledger {sent}")
    if baselines and not result["timed_out"]:
        result["baselines"] = measure_baselines(data, result["ledger"], work)
    result["load_after"] = Path("/proc/loadavg").read_text().split()[:3]
    result["problems"] = problems
    return result


def prefect_runs(api: str, started: float) -> dict:
    """Flow and task runs this run created on the server (scheduled runs of the served deployments left out)."""
    import httpx

    client = httpx.Client(base_url=api, timeout=60)
    # The server records task runs in batches after the fact: wait until the count holds still.
    count, steady, deadline = -1, 0, time.monotonic() + 120
    while steady < 3 and time.monotonic() < deadline:
        now = client.post("/task_runs/count", json={}).json()
        steady = steady + 1 if now == count else 0
        count = now
        time.sleep(1)
    flows = {f["id"]: f["name"] for f in _paged(client, "/flows/filter", {})}
    flow_runs = [r for r in _paged(client, "/flow_runs/filter", {}) if r.get("start_time")]
    by_flow: dict[str, list[dict]] = defaultdict(list)
    for r in flow_runs:
        by_flow[flows.get(r["flow_id"], "?")].append(r)
    task_runs = _paged(client, "/task_runs/filter", {}) if count <= 50_000 else []
    by_task: dict[str, list[dict]] = defaultdict(list)
    for r in task_runs:
        by_task[r["name"].rsplit("-", 1)[0]].append(r)  # "send-email-batch-3f2": the task's name and a suffix

    def span(runs: list[dict]) -> dict:
        starts = [_ts(r["start_time"]) - started for r in runs if r.get("start_time")]
        ends = [_ts(r["end_time"]) - started for r in runs if r.get("end_time")]
        states = defaultdict(int)
        for r in runs:
            states[(r.get("state_type") or "?").lower()] += 1
        busy = sum(_ts(r["end_time"]) - _ts(r["start_time"]) for r in runs if r.get("start_time") and r.get("end_time"))
        return {"runs": len(runs), "start_s": min(starts, default=None), "end_s": max(ends, default=None),
                "busy_s": busy, "states": dict(states)}

    return {
        "flow_runs": len(flow_runs),
        "task_runs": count,
        "flows": {name: span(runs) for name, runs in sorted(by_flow.items())},
        "tasks": {name: span(runs) for name, runs in sorted(by_task.items())},
    }


def _paged(client, path: str, body: dict) -> list[dict]:
    out, offset = [], 0
    while True:
        page = client.post(path, json={**body, "limit": 200, "offset": offset}).json()
        out += page
        if len(page) < 200:
            return out
        offset += 200


def _ts(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def timeline_times(home: Path, incident: str, started: float) -> dict:
    """Seconds from intake to the case timeline's milestones (the timeline holds ids and counts only)."""
    from breachflow.casestore.store import TIMELINE_FILE
    from breachflow.casestore.timeline import Timeline

    out: dict = {}
    for entry in Timeline(home / "cases" / incident / TIMELINE_FILE).entries():
        at = entry.at.timestamp() - started
        key = {"scope.done": "scope_done_s", "notification.email": "emails_recorded_s",
               "notification.letters": "letters_done_s", "notification.call_list": "call_list_done_s"}.get(entry.kind)
        if entry.kind == "report.drafted" and entry.data.get("report_kind") == "preliminary":
            key = "preliminary_draft_s"
        if entry.kind == "scope.done":
            out["persons"] = entry.data.get("persons")
        if entry.kind == "notification.letters":
            out["letters"] = entry.data.get("letters")
        if key and key not in out:
            out[key] = at
        out.setdefault("first_entry_s", at)
        out["entries"] = entry.seq
    return out


def stage_times(result: dict, started: float) -> dict:
    """Each stage's seconds (from the flow and task runs) and its share of the whole run."""
    flows, tasks, total = result["prefect"]["flows"], result["prefect"]["tasks"], result["total_s"]

    def length(span: dict | None) -> float | None:
        if not span or span["start_s"] is None or span["end_s"] is None:
            return None
        return span["end_s"] - span["start_s"]

    stages = {
        "scope": length(flows.get("scope-incident")),
        "obligations": length(flows.get("report-obligations")),
        "notification": length(flows.get("notify-affected-persons")),
        "  emails (send-email-batch)": length(tasks.get("send-email-batch")),
        "  letters+labels (produce-letters)": length(tasks.get("produce-letters")),
        "  call list (export-call-list)": length(tasks.get("export-call-list")),
        "prevention": length(flows.get("prevention-plan")),
    }
    top = sum(v for k, v in stages.items() if not k.startswith(" ") and v)
    parent = flows.get("incident-response") or {}
    if parent.get("start_s") is not None and parent.get("end_s") is not None:
        stages["start-up (imports, intake, case opened)"] = parent["start_s"]
        stages["between stages (inspect, case status)"] = parent["end_s"] - parent["start_s"] - top
        stages["after the flow (output, exit)"] = total - parent["end_s"]
    else:
        stages["other"] = total - top
    timeline = result["timeline"]
    # A milestone counts once the stage recorded it: the round's totals after the last batch, the call list.
    email_end = (tasks.get("send-email-batch") or {}).get("end_s") if tasks.get("record-email-round") else None
    ready = [x for x in ((tasks.get("produce-letters") or {}).get("end_s"), (tasks.get("export-call-list") or {}).get("end_s"),
                         timeline.get("letters_done_s"), timeline.get("call_list_done_s")) if x is not None]
    if not (tasks.get("export-call-list") or {}).get("end_s"):
        ready = []
    draft = timeline.get("preliminary_draft_s") or (tasks.get("draft-reports") or {}).get("end_s")
    return {
        "seconds": stages,
        "share": {k: (v / total if v is not None and total else None) for k, v in stages.items()},
        "milestones": {"preliminary_draft_s": draft, "emails_accepted_s": email_end,
                       "letters_labels_calls_ready_s": max(ready) if ready else None, "total_s": total},
    }


# ---------------------------------------------------------------- baselines


def measure_baselines(data: Path, ledger: dict, work: Path) -> dict:
    """The stage benchmarks' bare baselines at this run's sizes, each in its own process."""
    emails = sum(ledger.get("email", {}).values())
    letters = sum(ledger.get("letter", {}).values())
    out = {"read": _baseline("read", str(data))}
    print(f"  baseline polars read: {out['read']['seconds']:.1f} s", flush=True)
    if emails:
        tree = Tree()
        count_file = work / "baseline-sink-count.json"
        try:
            sink, port = start_sink(tree, count_file)
            out["smtp"] = _baseline("smtp", str(emails), str(port))
            out["smtp"]["sink"] = stop_sink(tree, sink, count_file)
        finally:
            tree.stop_all()
        print(f"  baseline bare smtplib, {emails:,} emails on one connection: {out['smtp']['seconds']:.1f} s", flush=True)
    if letters:
        out["letters"] = _baseline("letters", str(letters))
        print(f"  baseline letters alone, {letters:,} letters + labels: {out['letters']['seconds']:.1f} s", flush=True)
    out["sum_s"] = sum(v["seconds"] for v in out.values() if isinstance(v, dict))
    return out


def _baseline(kind: str, *args: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--baseline", kind, *args], cwd=REPO, capture_output=True, text=True,
                          check=False)
    if done.returncode:
        raise RuntimeError(f"baseline {kind} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


SMTP_DISTINCT = 10_000  # distinct rendered messages; the baseline sends them in turn until it has sent N


def run_baseline(kind: str, args: list[str]) -> None:
    """One bare baseline in this process (imports and inputs before the clock); prints seconds and peak MB."""
    sys.path.insert(0, str(REPO / "bench"))
    extra: dict = {}
    if kind == "read":
        import scope as scope_bench  # bench/scope.py

        started = time.perf_counter()
        scope_bench.baseline(Path(args[0]))
        seconds = time.perf_counter() - started
    elif kind == "smtp":
        import notify as notify_bench  # bench/notify.py

        n, port = int(args[0]), int(args[1])
        people = notify_bench.persons(min(n, SMTP_DISTINCT))
        by_id = {p.person_id: p for p in people}
        plan = notify_bench.build_plan(incident_id=notify_bench.INCIDENT, persons=people, decision=None,
                                       policy=notify_bench.ChannelPolicy(),
                                       versions=notify_bench.template_versions(notify_bench.TEMPLATES))
        distinct = [notify_bench.render_email(notice=x, person=by_id[x.person_id], facts=notify_bench.facts(),
                                              business=notify_bench.business(), sender=notify_bench.SENDER,
                                              today=notify_bench.TODAY) for x in plan.notices]
        prebuilt = [distinct[i % len(distinct)] for i in range(n)]
        seconds = notify_bench._send_baseline(prebuilt, port)
        extra = {"emails": n, "distinct_messages": len(distinct)}
    elif kind == "letters":
        import notify as notify_bench

        n = int(args[0])
        notify_bench.time_letters(notify_bench.letter_contexts(3), 2)  # warm-up, as bench/notify.py does
        contexts = notify_bench.letter_contexts(n)
        started = time.perf_counter()
        letters, labels_cpu, files, mb = notify_bench.time_letters(contexts, 2)
        seconds = time.perf_counter() - started  # letters, label sheets (three times, as the stage bench) and clean-up
        extra = {"letters": n, "letters_s": letters, "labels_cpu_s": labels_cpu, "files": files, "mb": mb}
    else:
        raise SystemExit(f"unknown baseline {kind}")
    print(json.dumps({"seconds": seconds, "peak_mb": _peak_mb(), **extra}))


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024 / 1e6
    return 0.0


# ---------------------------------------------------------------- printing


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds:8.1f} s" if seconds < 600 else f"{seconds:8.1f} s ({seconds / 60:.1f} min)"


def _verdict(ok: bool) -> str:
    return "ok" if ok else "OVER"


def report(r: dict) -> None:
    """Print one size's numbers."""
    n = r["persons_requested"]
    st, pf, mem = r["stages"], r["prefect"], r["memory"]
    ms = st["milestones"]
    print()
    print("=" * 78)
    print(f"breachflow run, end to end: {n:,} persons ({r['rows']:,} rows, {r['dataset_mb']} MB CP932)")
    print(f"load average before {r['load_before']}, after {r['load_after']} (2 cores; other work moves every time)")
    fixes = r.get("list_fixes") or {}
    print(f"list: {fixes.get('renamed_persons')} persons renamed (name and an identifier shared by chance), "
          f"{fixes.get('dropped_unmergeable_rows')} re-entered rows dropped (only an invalid phone left to merge on)")
    print(f"persons scoped: {r['persons_scoped']}   (N = {n:,})")
    ledger = {ch: dict(sorted(states.items())) for ch, states in sorted(r["ledger"].items())}
    print(f"ledger: {ledger}   (list: {r['expected_channels']})")
    print(f"emails sent per ledger: {r['emails_sent_ledger']:,}   received by the sink: {r['sink']['messages']:,}")
    print("-- milestones (from the start of `breachflow run`, i.e. intake)")
    print(f"速報 draft written            {_fmt(ms['preliminary_draft_s'])}")
    print(f"all emails accepted           {_fmt(ms['emails_accepted_s'])}")
    print(f"letters, labels, call list    {_fmt(ms['letters_labels_calls_ready_s'])}")
    print(f"whole response (wall)         {_fmt(ms['total_s'])}")
    print("-- stages (flow / task run start to end) and their share of the wall time")
    for name, seconds in st["seconds"].items():
        share = st["share"][name]
        print(f"  {name:<38} {_fmt(seconds)}  {share * 100 if share is not None else 0:5.1f} %")
    print("-- peak memory (RSS sampled every 0.5 s; decimal MB)")
    for role, m in mem["roles"].items():
        print(f"  {role:<28} {m['peak_mb']:7,} MB  (largest process {m['largest_process_peak_mb']:,} MB; "
              f"{m['processes']} process(es))")
    print(f"  all processes of the response together: {mem['peak_total_mb']:,} MB at {mem.get('peak_total_at_s', 0):.0f} s "
          "(sink and bench left out)")
    print("-- Prefect")
    print(f"  flow runs {pf['flow_runs']}, task runs {pf['task_runs']:,}")
    print(f"    {'task':<28} {'runs':>6} {'run time':>11}  states")
    for name, span in sorted(pf["tasks"].items(), key=lambda x: -x[1]["busy_s"])[:10]:
        print(f"    {name:<28} {span['runs']:6,} {span['busy_s']:9.1f} s  {span['states']}")
    b = r.get("baselines")
    if b:
        print("-- bare baselines (bench/scope.py, bench/notify.py), each in its own process after the run")
        print(f"  polars read of the list       {_fmt(b['read']['seconds'])}")
        if "smtp" in b:
            print(f"  bare smtplib, one connection  {_fmt(b['smtp']['seconds'])}  ({b['smtp']['emails']:,} emails, "
                  f"{b['smtp']['emails'] / b['smtp']['seconds']:.0f}/s)")
        if "letters" in b:
            print(f"  letters + labels alone        {_fmt(b['letters']['seconds'])}  ({b['letters']['letters']:,} letters)")
        print(f"  sum                           {_fmt(b['sum_s'])}")
        r["ratio_to_baselines"] = ms["total_s"] / b["sum_s"] if b["sum_s"] else None
        print(f"whole response / sum of bare baselines = {r['ratio_to_baselines']:.2f}x (target ≤ {TARGET_BASELINE_RATIO:.0f}x)")
    print("-- targets (for 1,000,000 persons on 2 cores)")
    draft = ms["preliminary_draft_s"]
    print(f"  速報 draft < 5 min: {_fmt(draft)} {_verdict(draft is not None and draft < TARGET_DRAFT_S)}")
    print(f"  whole response < 60 min: {_fmt(ms['total_s'])} "
          f"{_verdict(ms['total_s'] < TARGET_TOTAL_S and not r.get('timed_out'))}")
    print(f"  peak memory < 4 GB: {mem['peak_total_mb']:,} MB {_verdict(mem['peak_total_mb'] < TARGET_PEAK_MB)}")
    print(f"  task runs O(batches): {pf['task_runs']:,} {_verdict(pf['task_runs'] <= TARGET_TASK_RUNS)}")
    if r.get("ratio_to_baselines") is not None:
        print(f"  ≤ 2x the bare baselines: {r['ratio_to_baselines']:.2f}x "
              f"{_verdict(r['ratio_to_baselines'] <= TARGET_BASELINE_RATIO)}")
    for problem in r["problems"]:
        print(f"PROBLEM: {problem}")
    print("=" * 78, flush=True)


# Rows that a stopped run cuts short: the stage it was stopped in, its parent flow, the total, the exit.
_UNFINISHED_WHEN_STOPPED = {"total_s", "notification", "letters+labels (produce-letters)", "prevention",
                            "call list (export-call-list)", "after the flow (output, exit)"}


def compare(results: list[dict]) -> None:
    """The side-by-side table of two or more sizes and the ratio of the largest to the smallest."""
    results = sorted(results, key=lambda r: r["persons_requested"])
    small, large = results[0], results[-1]
    factor = large["persons_requested"] / small["persons_requested"]
    target = TARGET_LINEAR * factor / 10
    names = [f"{r['persons_requested']:,}" for r in results]
    print()
    print(f"linearity: {' vs '.join(names)} persons ({factor:.0f}x the persons; target ≤ {target:.1f}x the time)")
    rows = [(k, [r["stages"]["milestones"][k] for r in results]) for k in
            ("preliminary_draft_s", "emails_accepted_s", "letters_labels_calls_ready_s", "total_s")]
    rows += [(k.strip(), [r["stages"]["seconds"].get(k) for r in results]) for k in small["stages"]["seconds"]]
    rows += [("baselines sum", [r.get("baselines", {}).get("sum_s") for r in results])]
    rows += [("peak memory MB", [r["memory"]["peak_total_mb"] for r in results])]
    rows += [("task runs", [r["prefect"]["task_runs"] for r in results])]
    print(f"  {'':<36}" + "".join(f"{n:>16}" for n in names) + f"{'ratio':>10}")
    for label, values in rows:
        cells = "".join(f"{v:16.1f}" if isinstance(v, float) else f"{v if v is not None else '-':>16}" for v in values)
        ratio = values[-1] / values[0] if values[0] and values[-1] is not None else None
        flag = "" if ratio is None or label in ("peak memory MB", "task runs") else (
            "  ok" if ratio <= target else "  OVER")
        if flag and label in _UNFINISHED_WHEN_STOPPED and any(r.get("timed_out") for r in results):
            flag = "  (run stopped: not comparable)"
        print(f"  {label:<36}{cells}{(f'{ratio:9.2f}x' if ratio else '        -')}{flag}")


def main() -> int:
    """Run the sizes asked for, print each, the side-by-side table, and exit non-zero on a count mismatch."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", default=str(DEFAULT_PERSONS), help="N, or several N separated by commas")
    parser.add_argument("--compare", type=int, action="append", default=[], help="also run this N (side-by-side table)")
    parser.add_argument("--against", type=Path, action="append", default=[],
                        help="JSON of an earlier run (--json) to put beside this one in the table")
    parser.add_argument("--json", type=Path, help="write every number to this file")
    parser.add_argument("--work", type=Path, help="folder for the homes and logs (default: a new one under /tmp)")
    parser.add_argument("--no-baselines", action="store_true", help="skip the bare baselines")
    parser.add_argument("--timeout-min", type=float, help="stop `breachflow run` after this many minutes and report "
                        "how far it got (the baselines are then skipped)")
    parser.add_argument("--memory-limit-mb", type=float, default=2 * TARGET_PEAK_MB,
                        help="stop `breachflow run` when its processes pass this RSS together (default: twice the "
                             "4 GB target), before a shared machine runs out of memory")
    parser.add_argument("--show", type=Path, help="print the numbers of an earlier run's --json file again, run nothing")
    parser.add_argument("--generate", nargs=2, metavar=("N", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--sink", nargs=2, metavar=("PORT", "COUNT_FILE"), help=argparse.SUPPRESS)
    parser.add_argument("--baseline", nargs="+", metavar="ARG", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        generate(int(args.generate[0]), Path(args.generate[1]))
        return 0
    if args.sink:
        run_sink(int(args.sink[0]), Path(args.sink[1]))
        return 0
    if args.baseline:
        run_baseline(args.baseline[0], args.baseline[1:])
        return 0
    if args.show:
        shown = json.loads(args.show.read_text(encoding="utf-8"))["results"]
        for r in shown:
            report(r)
        if len({r["persons_requested"] for r in shown}) > 1:
            compare(shown)
        return 0
    # SIGTERM and SIGHUP end the bench like Ctrl-C, so that `finally` and atexit stop every child
    # (SIGHUP stays ignored under nohup). SIGINT gets a handler even when started in the
    # background (where it is ignored): children then start with it, and a run or server the
    # bench stops with SIGINT shuts down as it would on Ctrl-C.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        if sig == signal.SIGINT or signal.getsignal(sig) is not signal.SIG_IGN:
            signal.signal(sig, signal.default_int_handler)
    sizes = sorted({int(x.replace("_", "")) for x in args.persons.split(",")} | set(args.compare))
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    work = args.work or Path(tempfile.mkdtemp(prefix="e2e-", dir=BENCH_DIR))
    results = []
    for earlier in args.against:
        loaded = json.loads(earlier.read_text(encoding="utf-8"))
        results += loaded.get("results", [loaded])
    fresh = []
    for n in sizes:
        r = run_once(n, work / f"n{n}", baselines=not args.no_baselines, timeout_min=args.timeout_min,
                     memory_limit_mb=args.memory_limit_mb)
        report(r)
        fresh.append(r)
        if args.json:  # written after every size, so a long run leaves its first numbers behind
            args.json.write_text(json.dumps({"results": fresh}, ensure_ascii=False, indent=2), encoding="utf-8")
    results += fresh
    if len({r["persons_requested"] for r in results}) > 1:
        compare(results)
    problems = [p for r in fresh for p in r["problems"]]
    if problems:
        print("FAILED: " + "; ".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
