"""Hostile paths and resources: outside datasets, FIFOs, devices, zip bombs, export targets, leak-check links."""

from __future__ import annotations

import os
import stat
import struct
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from breachflow.casestore import CaseStore
from breachflow.errors import CaseStoreError, DatasetError, IntakeError
from breachflow.intake import load_intake
from breachflow.scoping.readers import read_dataset
from breachflow.settings import get_settings
from tests.conftest import SHARED_CASES
from tests.security.conftest import PEOPLE


def _intake(tmp_path: Path, dataset: str) -> Path:
    text = (SHARED_CASES / "WE-01.yaml").read_text(encoding="utf-8").replace("dataset: null", f"dataset: '{dataset}'")
    path = tmp_path / "WE-01.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _outside_list(tmp_path: Path) -> Path:
    """A small list in a folder ``outside`` beside the folder under test."""
    outside = tmp_path / "outside"
    outside.mkdir()
    path = outside / "people.csv"
    path.write_text("氏名,電話番号\n山田 太郎,090-1111-2222\n", encoding="utf-8")
    return path


def _quickly(call: Callable[[], object], fifo: Path | None = None) -> BaseException | None:
    """Run ``call`` in a thread; it must finish within a second (a FIFO read is unblocked afterwards if not)."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            call()
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    started = time.monotonic()
    worker.start()
    worker.join(1.0)
    hung = worker.is_alive()
    if hung and fifo is not None:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))  # EOF for the blocked reader
        worker.join(5)
    assert not hung, f"still reading after {time.monotonic() - started:.1f}s"
    return outcome[0]


@pytest.mark.parametrize("dataset", ["../../../../../../../../etc/passwd", "/etc/shadow", "/proc/self/environ"])
def test_dataset_outside_the_intake_folder_is_refused(tmp_path: Path, dataset: str):
    """intake validate and intake open refuse a dataset outside the intake's folder, naming data.dataset."""
    path = _intake(tmp_path, dataset)
    with pytest.raises(IntakeError) as info:
        load_intake(path, check_future=False)
    assert "data.dataset" in str(info.value) and "outside the intake file's folder" in str(info.value)
    intake = load_intake(path, check_future=False, check_dataset=False)
    with pytest.raises(IntakeError, match="data.dataset"):
        CaseStore(get_settings().cases_dir).open_case(intake, path)
    assert not (get_settings().cases_dir / "WE-01" / "dataset.bin").exists()


def test_symlink_leading_outside_is_refused(tmp_path: Path):
    """A dataset that is a symlink (in the intake folder) to a file outside it is refused."""
    secret = _outside_list(tmp_path)
    folder = tmp_path / "intake"
    folder.mkdir()
    (folder / "list.csv").symlink_to(secret)
    with pytest.raises(IntakeError, match="data.dataset"):
        load_intake(_intake(folder, "list.csv"), check_future=False)


def test_dataset_in_a_subfolder_is_accepted(tmp_path: Path):
    """A list in a folder below the intake's is fine, also through a link that stays inside."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "list.csv").write_text("氏名,電話番号\nA,090-1111-2222\n", encoding="utf-8")
    (tmp_path / "link.csv").symlink_to(tmp_path / "data" / "list.csv")
    assert load_intake(_intake(tmp_path, "data/list.csv"), check_future=False).data.dataset == "data/list.csv"
    assert load_intake(_intake(tmp_path, "link.csv"), check_future=False).data.dataset == "link.csv"


def test_fifo_as_dataset_and_as_intake_fails_fast(tmp_path: Path):
    """A FIFO as the dataset (reader and intake) or as the intake file is an error within a second, not a hang."""
    fifo = tmp_path / "list.csv"
    os.mkfifo(fifo)
    error = _quickly(lambda: read_dataset(path=fifo), fifo)
    assert isinstance(error, DatasetError) and "not a regular file" in str(error)
    error = _quickly(lambda: load_intake(_intake(tmp_path, "list.csv"), check_future=False), fifo)
    assert isinstance(error, IntakeError) and "data.dataset" in str(error)
    intake_fifo = tmp_path / "intake.yaml"
    os.mkfifo(intake_fifo)
    error = _quickly(lambda: load_intake(intake_fifo), intake_fifo)
    assert isinstance(error, IntakeError) and "not a regular file" in str(error)


def test_dev_zero_is_refused(tmp_path: Path):
    """/dev/zero as dataset or intake is refused as not a regular file (no MemoryError)."""
    error = _quickly(lambda: read_dataset(path=Path("/dev/zero")))
    assert isinstance(error, DatasetError) and "not a regular file" in str(error)
    error = _quickly(lambda: load_intake(Path("/dev/zero")))
    assert isinstance(error, IntakeError) and "not a regular file" in str(error)


def _bomb(path: Path, run: int) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b"\0" * run)
    return path


def test_zip_bomb_xlsx_is_refused_before_reading(tmp_path: Path):
    """A small workbook unpacking beyond the limit is refused by its declared size, naming the setting."""
    path = _bomb(tmp_path / "bomb.xlsx", 8 << 20)
    assert path.stat().st_size < 64 << 10
    with pytest.raises(DatasetError) as info:
        read_dataset(path=path, max_workbook_bytes=4 << 20)
    assert "BREACHFLOW_MAX_WORKBOOK_BYTES" in str(info.value) and str(path) in str(info.value)


def test_under_declared_part_is_refused_without_unpacking_it_all(tmp_path: Path):
    """A sheet whose headers declare 1 KiB but which unpacks to 64 MiB is refused (size/CRC), not read."""
    path = _bomb(tmp_path / "bomb.xlsx", 64 << 20)
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        while at >= 0:
            header = 30 if offset == 22 else 46
            if data[at + header : at + header + len(name)] == name:
                struct.pack_into("<I", data, at + offset, 1 << 10)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))
    with pytest.raises(DatasetError) as info:
        read_dataset(path=path, max_workbook_bytes=4 << 20)
    assert "does not match the size or checksum" in str(info.value) and str(path) in str(info.value)


def test_an_honest_workbook_passes_the_unpacked_check(tmp_path: Path):
    """The part check reads a real workbook without complaint."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["氏名", "電話番号"])
    book.active.append(["山田 花子", "090-1234-5678"])
    book.save(tmp_path / "list.xlsx")
    assert read_dataset(path=tmp_path / "list.xlsx").tables[0].frame.height == 1


def test_declared_3_gib_sheet_is_refused_by_default(tmp_path: Path):
    """A part declaring 3 GiB uncompressed is refused under the default 1 GiB limit."""
    path = _bomb(tmp_path / "bomb.xlsx", 1 << 10)
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02", data.find(b"xl/worksheets") - 64)  # the sheet's central-directory entry
    struct.pack_into("<I", data, at + 24, 3 << 30)
    path.write_bytes(bytes(data))
    with pytest.raises(DatasetError, match=r"unpacks to 3,221,2\d\d,\d{3} bytes \(limit 1,073,741,824"):
        read_dataset(path=path)


@pytest.fixture
def case(tmp_path: Path):
    (tmp_path / "customers.csv").write_bytes(
        ("お名前,フリガナ,〒,ご住所,電話番号,Eメール\n" + "".join(",".join(p) + "\n" for p in PEOPLE)).encode()
    )
    path = _intake(tmp_path, "customers.csv")
    return CaseStore(get_settings().cases_dir).open_case(load_intake(path, check_future=False), path)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_export_to_a_folder_is_refused_and_leaves_nothing(case, tmp_path: Path):
    """--to an existing folder is a clear error; no decrypted temp file is left beside it."""
    target = tmp_path / "out"
    target.mkdir()
    with pytest.raises(CaseStoreError, match="is a folder"):
        case.export("dataset.csv", target)
    with pytest.raises(CaseStoreError, match="is a folder"):
        case.export("dataset.csv", target, overwrite=True)
    assert _leftovers(tmp_path) == [] and list(target.iterdir()) == []


def test_export_never_writes_through_a_symlink(case, tmp_path: Path):
    """A link at the target or at the old temp name never receives the list; the export is a new 0600 file."""
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched", encoding="utf-8")
    target = tmp_path / "export.csv"
    (tmp_path / "export.csv.tmp").symlink_to(victim)
    target.symlink_to(victim)
    with pytest.raises(CaseStoreError, match="already exists"):
        case.export("dataset.csv", target)
    case.export("dataset.csv", target, overwrite=True)
    assert victim.read_text(encoding="utf-8") == "untouched"
    assert not target.is_symlink() and stat.S_IMODE(target.stat().st_mode) == 0o600
    assert "鬼瓦" in target.read_text(encoding="utf-8")
    assert _leftovers(tmp_path) == ["export.csv.tmp"]  # the planted link, nothing of ours


def test_export_through_a_link_into_the_case_is_refused(case, tmp_path: Path):
    """The inside-the-case check resolves symlinks: a path through a link into the case folder is refused."""
    (tmp_path / "door").symlink_to(case.dir)
    with pytest.raises(CaseStoreError, match="inside the case folder"):
        case.export("dataset.csv", tmp_path / "door" / "plain.csv")


def test_leakcheck_does_not_follow_a_link_out_of_the_tree(tmp_path: Path):
    """A link to / and a link to a folder outside the scanned root are issues, never read."""
    from breachflow.leakcheck import scan
    from breachflow.leakcheck.model import IssueKind

    people = _outside_list(tmp_path)
    root = tmp_path / "share"
    root.mkdir()
    (root / "everything").symlink_to("/")
    (root / "elsewhere").symlink_to(people.parent)
    (root / "people.csv").symlink_to(people)
    started = time.monotonic()
    report = scan(paths=[root], state_path=None, workers=1)
    assert time.monotonic() - started < 30
    kinds = {Path(i.path).name: i.kind for i in report.issues}
    assert kinds == dict.fromkeys(["everything", "elsewhere", "people.csv"], IssueKind.symlink_outside)
    assert not report.findings
    assert report.counts.issues == 3


def test_request_import_from_a_fifo_or_with_a_huge_field_is_an_error(case, tmp_path: Path):
    """The desk's request list: a FIFO fails within a second, an oversized quoted field names its line, not its text."""
    from breachflow.requests.service import import_requests

    fifo = tmp_path / "requests.csv"
    os.mkfifo(fifo)
    error = _quickly(lambda: import_requests(case=case, path=fifo), fifo)
    assert isinstance(error, DatasetError) and "not a regular file" in str(error)
    huge = tmp_path / "huge.csv"
    huge.write_text('type,received_on,note\ninquiry,2026-11-12,"鬼瓦' + "x" * 200_000 + '"\n', encoding="utf-8")
    with pytest.raises(DatasetError, match="line 2: not valid CSV") as info:
        import_requests(case=case, path=huge)
    assert "鬼瓦" not in str(info.value)
