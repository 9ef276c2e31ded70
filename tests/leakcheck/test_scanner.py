"""Scanning a planted tree: findings, protected containers, bad input, increments, allow-list, drafts."""

from __future__ import annotations

import io
import json
import os
import random
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from breachflow.intake import load_intake
from breachflow.leakcheck import (
    AllowList,
    FindingStatus,
    RecordingDraftWriter,
    RiskLevel,
    open_incident_drafts,
    scan,
)
from breachflow.leakcheck import samples as s
from breachflow.leakcheck.model import IssueKind
from breachflow.leakcheck.protection import ProtectionKind, Strength
from breachflow.leakcheck.scanner import JST, _Entry, _Job, finding_id, scan_file

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=JST)


@dataclass
class Tree:
    root: Path
    planted: s.Planted
    leaky: set[str]  # "path" or "path!member" of every planted unprotected file
    protected: dict[str, tuple[ProtectionKind, Strength]]
    clean: set[str]


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    rng = random.Random(7)
    planted = s.Planted()
    root = tmp_path / "share"
    rows = s.customer_rows(rng, 12, planted)
    contacts = s.contact_rows(rng, 5, planted)
    leaky = {
        str(s.write(root / "sales/customers.csv", s.csv_text(rows))),
        str(s.write(root / "sales/customers_sjis.tsv", s.csv_text(rows, delimiter="\t").encode("cp932"))),
        str(s.write(root / "sales/bom.txt", b"\xef\xbb\xbf" + s.csv_text(contacts).encode())),
        str(s.write(root / "hr/list.xlsx", s.xlsx_bytes(rows))),
        str(s.write(root / "hr/macro.xlsm", s.xlsx_bytes(contacts))),
        str(s.write(root / "docs/memo.docx", s.docx_bytes(["顧客一覧"] + [" ".join(r) for r in contacts]))),
        str(s.write(root / "docs/export.pdf", s.pdf_bytes([f"{r[2]} {r[3]} {r[7]}" for r in rows[1:]]))),
    }
    archive = s.write(root / "backup/archive.zip", s.plain_zip_bytes({"old/list.csv": s.csv_text(rows).encode()}))
    leaky.add(f"{archive}!old/list.csv")
    secret = s.csv_text(s.customer_rows(rng, 3, planted)).encode()
    protected = {
        str(s.write(root / "secure/crypto.zip", s.zipcrypto_bytes({"a.csv": secret}))): (
            ProtectionKind.zip_crypto, Strength.weak),
        str(s.write(root / "secure/aes.zip", s.aes_zip_bytes({"a.csv": secret}))): (ProtectionKind.zip_aes, Strength.ok),
        str(s.write(root / "secure/locked.xlsx", s.encrypted_office_bytes(s.xlsx_bytes(rows)))): (
            ProtectionKind.office_password, Strength.ok),
        str(s.write(root / "secure/locked.pdf", s.encrypted_pdf_bytes(s.pdf_bytes([rows[1][2]])))): (
            ProtectionKind.pdf_password, Strength.ok),
    }
    clean = {
        str(s.write(root / "docs/minutes.txt", s.clean_text(rng, 5000))),
        str(s.write(root / "docs/report.docx", s.docx_bytes(s.clean_text(rng, 2000).splitlines()))),
        str(s.write(root / "docs/plain.pdf", s.pdf_bytes(["Quarterly review 2026", "Order 12345"]))),
        str(s.write(root / "docs/budget.xlsx", s.xlsx_bytes([["項目", "金額"], ["備品", "12,800"]]))),
    }
    s.write(root / "docs/photo.jpg", b"\xff\xd8\xff" + bytes(100))
    return Tree(root, planted, leaky, protected, clean)


def _where(finding) -> str:
    return finding.path + (f"!{finding.member}" if finding.member else "")


def test_every_planted_file_is_found_and_nothing_else(tree: Tree):
    """Each planted unprotected file yields a finding; protected and clean files never do."""
    report = scan(paths=[tree.root], state_path=None, allowlist=None, workers=1, now=NOW)
    assert {_where(f) for f in report.findings} == tree.leaky
    assert {p.path: (p.protection.kind, p.protection.strength) for p in report.protected} == tree.protected
    assert report.counts.ignored == 1  # photo.jpg
    assert report.counts.issues == 0
    assert all(f.status is FindingStatus.new for f in report.findings)


def test_the_report_never_contains_a_planted_value(tree: Tree):
    """No planted email, phone, My Number, card, postal code or birth date appears in the report JSON."""
    report = scan(paths=[tree.root], state_path=None, workers=1, now=NOW)
    text = report.model_dump_json()
    assert len(tree.planted.all_values()) >= 100
    assert [v for v in tree.planted.all_values() if v in text] == []
    assert "@example.com" in text  # masked samples are there, with the domain only


def test_risk_reflects_items_and_persons(tree: Tree):
    """A list with card numbers is high risk with 12 persons; a contact list is medium."""
    report = scan(paths=[tree.root], state_path=None, workers=1, now=NOW)
    by_name = {Path(f.path).name: f for f in report.findings}
    assert by_name["customers.csv"].risk is RiskLevel.high
    assert by_name["customers.csv"].estimated_persons == 12
    assert by_name["bom.txt"].risk is RiskLevel.medium
    assert {i.value for i in by_name["bom.txt"].items} == {"email", "phone"}


def test_parallel_scan_gives_the_same_findings(tree: Tree):
    """Two worker processes find exactly what one process finds."""
    one = scan(paths=[tree.root], state_path=None, workers=1, now=NOW)
    two = scan(paths=[tree.root], state_path=None, workers=2, now=NOW)
    assert one.findings == two.findings
    assert one.protected == two.protected


def test_large_lists_read_through_polars_give_the_same_findings_in_workers_and_in_process(tmp_path: Path):
    """A customer list above the polars threshold yields the same findings from worker processes and in-process."""
    rng = random.Random(21)
    rows = s.customer_rows(rng, 12_000, s.Planted())
    big = s.write(tmp_path / "share/big.csv", s.csv_text(rows))
    s.write(tmp_path / "share/small.csv", s.csv_text(rows[:50]))
    assert big.stat().st_size > 1024 * 1024
    two = scan(paths=[tmp_path / "share"], state_path=None, workers=2, now=NOW)
    one = scan(paths=[tmp_path / "share"], state_path=None, workers=1, now=NOW)
    again = scan(paths=[tmp_path / "share"], state_path=None, workers=2, now=NOW)
    assert len(two.findings) == 2
    assert one.findings == two.findings == again.findings


def test_partly_encrypted_zip_scans_its_clear_members(tmp_path: Path):
    """A zip with one AES member and one clear CSV reports both the protection and the finding."""
    rng = random.Random(1)
    mixed = s.write(tmp_path / "mixed.zip", s.aes_zip_bytes({"locked.csv": b"secret"}))
    with zipfile.ZipFile(mixed, "a") as archive:  # append a clear member beside the AES one
        archive.writestr("open.csv", s.csv_text(s.contact_rows(rng, 3, s.Planted())))
    report = scan(paths=[mixed], state_path=None, workers=1, now=NOW)
    assert [f.member for f in report.findings] == ["open.csv"]
    [protected] = report.protected
    assert (protected.protection.kind, protected.protection.protected_members) == (ProtectionKind.zip_aes, 1)
    assert protected.protection.clear_members == 1


def test_bad_inputs_are_reported_per_file_and_the_scan_goes_on(tmp_path: Path):
    """FIFO, broken and looping links, a broken zip, binary text and a huge file are each reported; findings still come."""
    rng = random.Random(2)
    root = tmp_path / "bad"
    good = s.write(root / "good.csv", s.csv_text(s.contact_rows(rng, 4, s.Planted())))
    s.write(root / "binary.csv", b"\x00\x01\x02" * 1000)
    s.write(root / "latin1.txt", "caf\xe9 \xff\xfe".encode("latin-1") * 3)
    s.write(root / "broken.zip", b"PK\x03\x04 this is not a zip")
    s.write(root / "broken.xlsx", b"PK\x03\x04 nor is this")
    s.write(root / "broken.pdf", b"%PDF-1.4 garbage without objects")
    os.mkfifo(root / "pipe.csv")
    os.symlink(root / "missing.csv", root / "dangling.csv")
    os.symlink(root / "loop.csv", root / "loop.csv")
    os.symlink(root, root / "again")  # a folder link back to the root
    (root / "folder.csv").mkdir()  # a directory with a text suffix is walked, not read
    huge = root / "huge.csv"
    huge.write_text(s.csv_text(s.contact_rows(rng, 300, s.Planted())))  # text beyond the 8 KB binary sniff
    os.truncate(huge, 2 * 1024**3)  # sparse: 2 GB on paper, nothing on disk
    report = scan(paths=[root], state_path=None, workers=1, max_bytes=1024 * 1024, now=NOW)
    kinds = {Path(i.path).name: i.kind for i in report.issues}
    assert kinds == {
        "binary.csv": IssueKind.binary_content,
        "latin1.txt": IssueKind.undecodable,
        "broken.zip": IssueKind.broken_container,
        "broken.xlsx": IssueKind.broken_container,
        "broken.pdf": IssueKind.broken_container,
        "pipe.csv": IssueKind.not_regular_file,
        "dangling.csv": IssueKind.broken_symlink,
        "loop.csv": IssueKind.symlink_loop,
        "again": IssueKind.symlink_loop,
    }
    assert report.counts.issues == 9
    assert {Path(f.path).name for f in report.findings} == {"good.csv", "huge.csv"}
    huge_finding = next(f for f in report.findings if f.path == str(huge))
    assert huge_finding.truncated and report.counts.truncated == 1
    assert report.counts.bytes_read < 3 * 1024 * 1024 + good.stat().st_size * 10


def test_a_text_file_is_truncated_only_when_it_holds_more_than_the_cap(tmp_path: Path):
    """Exactly the cap: read whole, not truncated; one byte more: truncated."""
    line = b"taro@example.com\n"
    exact = s.write(tmp_path / "exact.txt", line * 64)
    more = s.write(tmp_path / "more.txt", line * 64 + b"x")
    records = {
        path.name: scan_file(_Job(entry=_Entry(str(path), path.stat().st_size, 0), max_bytes=len(line) * 64, previous=None)).record
        for path in (exact, more)
    }
    assert {name: record.truncated for name, record in records.items()} == {"exact.txt": False, "more.txt": True}
    assert records["exact.txt"].fingerprint != records["more.txt"].fingerprint  # "+head": the rest may change unseen


def test_an_unparsable_pdf_that_says_it_is_encrypted_counts_as_protected(tmp_path: Path):
    """A PDF whose structure pypdf cannot read but whose trailer names /Encrypt is protected, not broken nor clean."""
    s.write(tmp_path / "odd.pdf", b"%PDF-1.7 garbage trailer << /Encrypt 5 0 R >> %%EOF")
    report = scan(paths=[tmp_path], state_path=None, workers=1, now=NOW)
    assert [(Path(p.path).name, p.protection.kind) for p in report.protected] == [("odd.pdf", ProtectionKind.pdf_password)]
    assert not report.issues and not report.findings


@pytest.mark.parametrize("algorithm", ["AES-256", "RC4-128"])
def test_a_pdf_with_only_an_owner_password_is_searched_and_one_with_a_user_password_is_protected(tmp_path: Path, algorithm: str):
    """No password is needed to open the first (only editing is restricted): its text is searched like a clear PDF's."""
    rows = s.customer_rows(random.Random(6), 5, s.Planted())
    lines = [" ".join(row[2:4]) for row in rows[1:]]
    s.write(tmp_path / "restricted.pdf", s.encrypted_pdf_bytes(s.pdf_bytes(lines), algorithm=algorithm, password=""))
    s.write(tmp_path / "locked.pdf", s.encrypted_pdf_bytes(s.pdf_bytes(lines), algorithm=algorithm))
    report = scan(paths=[tmp_path], state_path=None, workers=1, now=NOW)
    assert [(Path(f.path).name, {str(d): c.distinct for d, c in f.detectors.items()}) for f in report.findings] == [
        ("restricted.pdf", {"email": 5, "phone": 5})
    ]
    assert [(Path(p.path).name, p.protection.strength) for p in report.protected] == [
        ("locked.pdf", Strength.ok if algorithm == "AES-256" else Strength.weak)
    ]
    assert not report.issues


def test_a_file_that_cannot_be_opened_is_an_unreadable_issue(tmp_path: Path):
    """A file gone between listing and reading (as root, chmod 000 does not stop reads) becomes 'unreadable'."""
    entry = _Entry(str(tmp_path / "vanished.csv"), 10, 0)
    result = scan_file(_Job(entry=entry, max_bytes=1024, previous=None))
    assert [i.kind for i in result.record.issues] == [IssueKind.unreadable]


def test_rescan_reports_new_still_and_gone(tree: Tree, tmp_path: Path):
    """Unchanged files are skipped and 'still'; a deleted file's finding is 'gone'; an added one is 'new'."""
    state = tmp_path / "state.json"
    first = scan(paths=[tree.root], state_path=state, workers=1, now=NOW)
    (tree.root / "sales/customers.csv").unlink()
    added = s.write(tree.root / "new/contacts.csv", s.csv_text(s.contact_rows(random.Random(9), 3, s.Planted())))
    second = scan(paths=[tree.root], state_path=state, workers=1, now=NOW)
    status = {Path(f.path).name: f.status for f in second.findings if f.member is None}
    assert status["customers.csv"] is FindingStatus.gone
    assert status["contacts.csv"] is FindingStatus.new
    assert status["list.xlsx"] is FindingStatus.still
    assert second.counts.files_scanned == 1
    assert second.counts.skipped_unchanged == first.counts.files_scanned - 1
    assert finding_id(str(added), None) in {f.id for f in second.findings}
    assert state.read_text().count("@example.com") > 0  # masked samples only
    assert [v for v in tree.planted.all_values() if v in state.read_text()] == []


def test_touched_but_unchanged_file_is_hashed_not_rescanned(tree: Tree, tmp_path: Path):
    """A new mtime with the same content is recognised by its hash; changed content is rescanned."""
    state = tmp_path / "state.json"
    scan(paths=[tree.root], state_path=state, workers=1, now=NOW)
    touched = tree.root / "docs/minutes.txt"
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10**9))
    edited = tree.root / "sales/bom.txt"
    data = edited.read_bytes()
    edited.write_bytes(data.replace(b"contact00000", b"contact99999"))  # same size, new content
    report = scan(paths=[tree.root], state_path=state, workers=1, now=NOW)
    assert report.counts.files_scanned == 1
    bom = next(f for f in report.findings if f.path == str(edited))
    assert bom.status is FindingStatus.still


def test_scanning_one_folder_does_not_mark_other_folders_gone(tree: Tree, tmp_path: Path):
    """Findings outside the scanned roots stay in the state and are not reported gone."""
    state = tmp_path / "state.json"
    scan(paths=[tree.root], state_path=state, workers=1, now=NOW)
    partial = scan(paths=[tree.root / "hr"], state_path=state, workers=1, now=NOW)
    assert partial.counts.findings_gone == 0
    full = scan(paths=[tree.root], state_path=state, workers=1, now=NOW)
    assert full.counts.findings_gone == 0 and full.counts.findings_new == 0


def test_allow_list_suppresses_by_glob_and_by_sha256(tree: Tree):
    """Findings in an approved folder or in a known file are counted as suppressed, not listed."""
    import hashlib

    known = tree.root / "docs/memo.docx"
    allow = AllowList(paths=(f"{tree.root}/hr/*",), sha256=(hashlib.sha256(known.read_bytes()).hexdigest(),))
    report = scan(paths=[tree.root], state_path=None, allowlist=allow, workers=1, now=NOW)
    names = {Path(f.path).name for f in report.findings}
    assert names.isdisjoint({"list.xlsx", "macro.xlsm", "memo.docx"})
    assert report.counts.suppressed == 3
    assert len(report.findings) == len(tree.leaky) - 3


def test_new_high_risk_findings_open_valid_intake_drafts(tree: Tree, tmp_path: Path):
    """Each new high-risk finding gets one intake draft that loads, names the finding id, and holds no planted value."""
    from breachflow.leakcheck import FolderDraftWriter

    report = scan(paths=[tree.root], state_path=tmp_path / "state.json", workers=1, now=NOW)
    high = [f for f in report.findings if f.risk is RiskLevel.high]
    drafted = open_incident_drafts(
        report=report, writer=FolderDraftWriter(tmp_path / "drafts"), business_name="株式会社テスト", found_at=NOW
    )
    assert len(drafted.incident_drafts) == len(high) > 0
    for path, finding in zip(drafted.incident_drafts, high):
        intake = load_intake(path, as_of=NOW.date())
        assert finding.id in intake.title and finding.id in intake.event.summary
        assert intake.event.cause.value == "misconfiguration"
        assert intake.data.affected_persons.max == finding.estimated_persons
        text = Path(path).read_text(encoding="utf-8")
        assert [v for v in tree.planted.all_values() if v in text] == []
    rescan = scan(paths=[tree.root], state_path=tmp_path / "state.json", workers=1, now=NOW)
    fake = RecordingDraftWriter()
    assert open_incident_drafts(report=rescan, writer=fake, business_name="x", found_at=NOW).incident_drafts == ()


def test_cli_prints_json_writes_drafts_and_exits_1_on_findings(tree: Tree, tmp_path: Path, monkeypatch):
    """`breachflow leakcheck --json --open-incident` prints the report, drafts under $BREACHFLOW_HOME, exits 1."""
    from cli.main import app
    from breachflow.settings import get_settings

    home = tmp_path / "home"
    monkeypatch.setenv("BREACHFLOW_HOME", str(home))  # settings come from the environment by design
    get_settings.cache_clear()
    try:
        allow = s.write(tmp_path / "allow.yaml", f"paths:\n  - '{tree.root}/docs/*'\n")
        result = CliRunner().invoke(
            app, ["leakcheck", str(tree.root), "--json", "--allow", str(allow), "--open-incident"]
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1, result.output
    payload = json.loads(result.output)
    assert payload["counts"]["suppressed"] == 2
    assert payload["incident_drafts"] and all(
        Path(p).parent == home / "leakcheck/incident-drafts" for p in payload["incident_drafts"]
    )
    assert (home / "leakcheck/state.json").exists()


def test_prefetch_asks_for_a_text_file_up_to_the_cap_and_for_both_ends_of_a_container():
    """Containers are parsed from their end, then mostly read at their start: both are asked for, not the middle."""
    from breachflow.leakcheck.scanner import CONTAINER_HEAD, CONTAINER_TAIL, _read_ranges

    def ranges(name: str, size: int) -> list[tuple[int, int]]:
        return _read_ranges(_Job(entry=_Entry(f"/share/{name}", size, 0), max_bytes=1000, previous=None))

    assert ranges("list.csv", 5000) == [(0, 1000)]
    assert ranges("list.csv", 10) == [(0, 10)]
    assert ranges("scan.pdf", 10_000_000) == [(0, CONTAINER_HEAD), (10_000_000 - CONTAINER_TAIL, CONTAINER_TAIL)]
    assert ranges("memo.docx", CONTAINER_HEAD + CONTAINER_TAIL) == [(0, CONTAINER_HEAD + CONTAINER_TAIL)]


def test_prefetch_stays_a_bounded_window_ahead_of_the_finished_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The kernel is asked for the next batches' files while fewer than PREFETCH_BYTES past those done are asked for."""
    from breachflow.leakcheck import scanner

    jobs = []
    for i in range(6):
        path = s.write(tmp_path / f"f{i}.csv", b"x" * 1000)
        jobs.append(_Job(entry=_Entry(str(path), 1000, 0), max_bytes=600, previous=None))
    batches = [[job] for job in jobs]  # each reads 600 bytes (the cap)
    asked: list[str] = []  # the files the kernel was asked to read ahead, in order

    def advise(fd: int, offset: int, length: int, advice: int) -> None:
        if advice == os.POSIX_FADV_WILLNEED:
            asked.append(Path(os.readlink(f"/proc/self/fd/{fd}")).stem)

    def asked_after(step) -> list[str]:
        before = len(asked)
        step()
        return asked[before:]

    monkeypatch.setattr(scanner.os, "posix_fadvise", advise)
    monkeypatch.setattr(scanner, "PREFETCH_BYTES", 1500)
    prefetch = scanner._Prefetch(batches)
    assert asked_after(lambda: prefetch.ahead_of(0)) == ["f0", "f1", "f2"]  # 600 + 600 leave room, the third fills the window
    assert asked_after(lambda: prefetch.ahead_of(0)) == []  # nothing finished: nothing more
    assert asked_after(lambda: prefetch.ahead_of(1)) == ["f3"]  # batches 1-2 ahead (1200 of 1500): room for one more
    assert asked_after(lambda: prefetch.ahead_of(3)) == ["f4", "f5"]
    assert asked_after(lambda: prefetch.ahead_of(6)) == []
    # Workers that overtake the prefetch: the finished batches are skipped, not asked for.
    monkeypatch.setattr(scanner, "PREFETCH_BYTES", 600)
    late = scanner._Prefetch(batches)
    assert asked_after(lambda: late.ahead_of(0)) == ["f0"]
    assert asked_after(lambda: late.ahead_of(3)) == ["f3"]  # not f1, f2; one batch fills the window
    assert asked_after(lambda: late.ahead_of(3)) == []
    assert asked_after(lambda: late.ahead_of(4)) == ["f4"]  # f3 done: its room is free again


def test_a_text_the_detectors_fail_on_is_reported_and_the_rest_of_the_batch_still_scanned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Detection failing on one file's text: that file gets a 'not_searched' issue, the other files their findings."""
    from breachflow.leakcheck import scanner

    rng = random.Random(3)
    good = s.write(tmp_path / "good.csv", s.csv_text(s.contact_rows(rng, 40, s.Planted())))
    poison = s.write(tmp_path / "poison.csv", ("顧客一覧 POISON\n" + s.csv_text(s.contact_rows(rng, 40, s.Planted()))).encode())
    real = scanner._detect_texts

    def failing(texts):
        if any("POISON" in (t.decode() if isinstance(t, bytes) else t) for t in texts):
            raise RuntimeError("detector failure")
        return real(texts)

    monkeypatch.setattr(scanner, "_detect_texts", failing)
    report = scan(paths=[tmp_path], state_path=tmp_path / "state.json", workers=1, now=NOW)
    assert {Path(f.path).name for f in report.findings} == {good.name}
    assert [(Path(i.path).name, i.kind) for i in report.issues] == [(poison.name, IssueKind.not_searched)]
    assert report.counts.issues == 1
    # Not remembered as content-only: the next scan searches it again.
    remembered = json.loads((tmp_path / "state.json").read_text())["files"]
    assert str(good) in remembered and str(poison) not in remembered


def test_pending_texts_are_detected_before_they_pass_the_memory_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A zip of many lists and a batch of many files are detected in parts under the limit, with the same findings."""
    from breachflow.leakcheck import scanner

    rng = random.Random(8)
    members = {f"list_{i}.csv": s.csv_text(s.contact_rows(rng, 400, s.Planted())).encode() for i in range(6)}
    s.write(tmp_path / "archive.zip", s.plain_zip_bytes(members))
    for i in range(4):
        s.write(tmp_path / f"sheet_{i}.csv", s.csv_text(s.contact_rows(rng, 400, s.Planted())))
    unbounded = scan(paths=[tmp_path], state_path=None, workers=1, now=NOW)

    sizes: list[int] = []
    real = scanner._detect_texts
    monkeypatch.setattr(scanner, "_detect_texts", lambda texts: sizes.append(sum(map(len, texts))) or real(texts))
    limit = 2 * max(len(data) for data in members.values())
    monkeypatch.setattr(scanner, "PENDING_TEXT_LIMIT", limit)
    bounded = scan(paths=[tmp_path], state_path=None, workers=1, now=NOW)

    assert len(sizes) > 3 and max(sizes) < limit + limit // 2  # never much past the limit
    assert [(f.path, f.member, f.detectors) for f in bounded.findings] == [(f.path, f.member, f.detectors) for f in unbounded.findings]
    assert len(bounded.findings) == 10


def _zip_with_photo(rows: list[list[str]], photo: bytes) -> bytes:
    return s.plain_zip_bytes({"list.csv": s.csv_text(rows).encode(), "photo.jpg": photo}, stored=frozenset({"list.csv", "photo.jpg"}))


def test_containers_are_read_only_where_their_parsers_look(tmp_path: Path):
    """A zip's photo and a document's media are never read; their lists are still found."""
    rng = random.Random(3)
    rows = s.customer_rows(rng, 20, s.Planted())
    s.write(tmp_path / "backup.zip", _zip_with_photo(rows, rng.randbytes(4 * 1024 * 1024)))
    s.write(tmp_path / "memo.docx", s.docx_bytes([" ".join(r) for r in rows], media=rng.randbytes(4 * 1024 * 1024)))
    report = scan(paths=[tmp_path], state_path=None, workers=1, now=NOW)
    assert {(Path(f.path).name, f.member) for f in report.findings} == {("backup.zip", "list.csv"), ("memo.docx", None)}
    assert report.counts.bytes_read < 256 * 1024  # of more than 8 MB


def test_a_scanned_pdf_is_read_without_its_drawn_image_and_a_form_it_draws_is_still_searched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The page's image is known as one from its dictionary; the text of a drawn form XObject is found."""
    from breachflow.leakcheck import extractors

    rng = random.Random(5)
    rows = s.customer_rows(rng, 30, s.Planted())
    form = [" ".join(row[2:4]) for row in rows[1:]]  # e-mail and phone
    s.write(tmp_path / "scan.pdf", s.pdf_bytes(["Scanned contract"], image=rng.randbytes(4 * 1024 * 1024), form_lines=form))
    report = scan(paths=[tmp_path], state_path=None, workers=1, now=NOW)
    [finding] = report.findings
    assert {str(d) for d in finding.detectors} == {"email", "phone"}
    assert [count.distinct for count in finding.detectors.values()] == [30, 30]
    assert report.counts.bytes_read < 256 * 1024  # of more than 4 MB

    # An image whose dictionary is not found in the bytes looked at is left to pypdf, which reads it whole.
    monkeypatch.setattr(extractors, "_OBJECT_HEAD_BYTES", 8)
    whole = scan(paths=[tmp_path], state_path=None, workers=1, now=NOW)
    assert [f.detectors for f in whole.findings] == [finding.detectors]
    assert whole.counts.bytes_read > 4 * 1024 * 1024


def test_touched_container_is_searched_again_only_when_what_it_reads_changed(tmp_path: Path):
    """Same size, new mtime: new photo bytes (never read) keep the old result; a changed list is searched again."""
    rng = random.Random(4)
    rows = s.customer_rows(rng, 20, s.Planted())
    photo = rng.randbytes(1024 * 1024)
    path = s.write(tmp_path / "backup.zip", _zip_with_photo(rows, photo))
    state = tmp_path / "state.json"
    first = scan(paths=[tmp_path], state_path=state, workers=1, now=NOW)
    assert first.counts.files_scanned == 1

    data = bytearray(path.read_bytes())
    at = data.find(photo[:64]) + len(photo) // 2
    data[at : at + 16] = bytes(16)  # the photo changes; the directory and the list do not
    path.write_bytes(bytes(data))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    unchanged = scan(paths=[tmp_path], state_path=state, workers=1, now=NOW)
    assert (unchanged.counts.files_scanned, unchanged.counts.skipped_unchanged) == (0, 1)
    assert [f.status for f in unchanged.findings] == [FindingStatus.still]

    rows[1][0] = "X" + rows[1][0][1:]  # the same size, another list
    path.write_bytes(_zip_with_photo(rows, photo))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 2 * 10**9))
    changed = scan(paths=[tmp_path], state_path=state, workers=1, now=NOW)
    assert changed.counts.files_scanned == 1


def test_a_container_that_fails_while_being_read_is_unreadable_not_broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """An I/O error under the zip parser is the file's (unreadable), not a broken archive."""
    import errno

    from breachflow.leakcheck import scanner

    path = s.write(tmp_path / "backup.zip", _zip_with_photo([["a"]], b"x"))

    class FailingFile(io.FileIO):
        def readinto(self, buffer):  # noqa: ANN001, ANN202
            raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(scanner, "open", lambda name, mode, buffering: FailingFile(name, "r"), raising=False)
    result = scan_file(_Job(entry=_Entry(str(path), path.stat().st_size, 0), max_bytes=1024, previous=None))
    assert [i.kind for i in result.record.issues] == [IssueKind.unreadable]
