"""Case folders under ``$BREACHFLOW_HOME/cases/<incident_id>/``."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel

from breachflow.casestore.timeline import Timeline
from breachflow.errors import CaseStoreError
from breachflow.intake.loader import load_intake
from breachflow.intake.model import Intake

M = TypeVar("M", bound=BaseModel)

_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
INTAKE_FILE = "intake.yaml"
MANIFEST_FILE = "manifest.json"
TIMELINE_FILE = "timeline.jsonl"


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_private(path: Path, data: bytes) -> None:
    """Write a file atomically with 0600 permissions."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


class Case:
    """One incident's folder: intake, dataset, person list, records, timeline."""

    def __init__(self, directory: Path, incident_id: str) -> None:
        self.dir = directory
        self.incident_id = incident_id
        self.timeline = Timeline(directory / TIMELINE_FILE)

    def path(self, name: str) -> Path:
        """A file inside the case folder; refuses names that could escape it."""
        parts = name.split("/")
        if not all(_SAFE_NAME.match(p) and p not in {".", ".."} for p in parts):
            raise CaseStoreError(f"case {self.incident_id}: unsafe file name {name!r} in the case folder")
        target = self.dir.joinpath(*parts)
        if len(parts) > 1:
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        return target

    def intake(self) -> Intake:
        """The stored intake."""
        return load_intake(self.dir / INTAKE_FILE, check_future=False)

    def manifest(self) -> dict[str, Any]:
        """Metadata: dataset hash and original path, opening time."""
        return json.loads((self.dir / MANIFEST_FILE).read_text(encoding="utf-8"))

    def dataset_path(self) -> Path | None:
        """The stored copy of the leaked dataset, verified against its recorded hash."""
        dataset = self.manifest().get("dataset")
        if not dataset:
            return None
        path = self.dir / dataset["stored_as"]
        if sha256_file(path) != dataset["sha256"]:
            raise CaseStoreError(f"case {self.incident_id}: stored dataset does not match its recorded hash")
        return path

    def has(self, name: str) -> bool:
        """Whether a record exists."""
        return self.path(name).exists()

    def write_model(self, name: str, model: BaseModel) -> Path:
        """Store a pydantic model as JSON (0600)."""
        target = self.path(name)
        _write_private(target, model.model_dump_json(indent=2).encode("utf-8"))
        return target

    def read_model(self, name: str, model_type: type[M]) -> M:
        """Load a stored pydantic model."""
        target = self.path(name)
        if not target.exists():
            raise CaseStoreError(f"case {self.incident_id}: {name} is missing; run the earlier step first")
        return model_type.model_validate_json(target.read_bytes())

    def write_bytes(self, name: str, data: bytes) -> Path:
        """Store raw bytes (0600)."""
        target = self.path(name)
        _write_private(target, data)
        return target


class CaseStore:
    """All cases under one root folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _dir(self, incident_id: str) -> Path:
        if not _SAFE_ID.match(incident_id or ""):
            raise CaseStoreError(
                f"incident id {incident_id!r} is not 1-64 characters of A-Z a-z 0-9 _ -"
            )
        return self.root / incident_id

    def exists(self, incident_id: str) -> bool:
        """Whether a case folder exists."""
        return (self._dir(incident_id) / INTAKE_FILE).exists()

    def get(self, incident_id: str) -> Case:
        """An existing case."""
        directory = self._dir(incident_id)
        if not (directory / INTAKE_FILE).exists():
            raise CaseStoreError(f"no case {incident_id} in {self.root}; open it with 'breachflow intake open FILE'")
        return Case(directory, incident_id)

    def ids(self) -> list[str]:
        """Every case id, sorted."""
        if not self.root.exists():
            return []
        return sorted(p.name for p in self.root.iterdir() if (p / INTAKE_FILE).exists())

    def open_case(self, intake: Intake, intake_path: Path, *, update: bool = False) -> Case:
        """Create (or with ``update`` refresh) a case from a validated intake file."""
        directory = self._dir(intake.incident_id)
        existed = (directory / INTAKE_FILE).exists()
        if existed and not update:
            raise CaseStoreError(
                f"case {intake.incident_id} is already open in {directory}; use --update to replace its intake"
            )
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        directory.mkdir(mode=0o700, exist_ok=True)
        case = Case(directory, intake.incident_id)
        manifest: dict[str, Any] = {"incident_id": intake.incident_id, "intake_sha256": sha256_file(intake_path)}
        if intake.data.dataset:
            source = (intake_path.parent / intake.data.dataset).resolve()
            if not source.is_file():
                raise CaseStoreError(f"{intake_path}: data.dataset: file {intake.data.dataset} not found next to the intake")
            suffix = source.suffix.lower() if source.suffix.lower() in {".csv", ".xlsx", ".tsv", ".txt"} else ".bin"
            stored_as = f"dataset{suffix}"
            tmp = directory / (stored_as + ".tmp")
            shutil.copyfile(source, tmp)
            os.chmod(tmp, 0o600)
            os.replace(tmp, directory / stored_as)
            manifest["dataset"] = {"source": str(source), "stored_as": stored_as, "sha256": sha256_file(directory / stored_as)}
        # The intake is stored as YAML exactly as given, so re-validation sees the same facts.
        _write_private(directory / INTAKE_FILE, intake_path.read_bytes() if intake_path.suffix.lower() != ".json"
                       else yaml.safe_dump(json.loads(intake_path.read_text("utf-8")), allow_unicode=True).encode())
        _write_private(directory / MANIFEST_FILE, json.dumps(manifest, indent=2, ensure_ascii=False).encode())
        case.timeline.append(
            "intake.updated" if existed else "intake.opened",
            "事案の受付内容を更新" if existed else "事案を受付",
            intake_sha256=manifest["intake_sha256"],
            dataset_sha256=manifest.get("dataset", {}).get("sha256"),
        )
        return case
