"""The intake format documented in docs/intake-format.md is the model: every field is there."""

from __future__ import annotations

import re
import types
import typing

from pydantic import BaseModel

from breachflow.intake.model import Intake
from tests.conftest import REPO


def _fields(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every field of the model and its nested models, as dotted paths."""
    paths = []
    for name, info in model.model_fields.items():
        paths.append(prefix + name)
        for inner in _models(info.annotation):
            paths += _fields(inner, f"{prefix}{name}.")
    return paths


def _models(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, list, dict):
        return [m for arg in typing.get_args(annotation) for m in _models(arg)]
    return []


def test_every_field_of_the_intake_model_is_documented():
    """Each field name appears as a key in the documented YAML, at its nesting level or inline in its parent."""
    doc = (REPO / "docs" / "intake-format.md").read_text(encoding="utf-8")
    block = doc[doc.index("```yaml"): doc.index("```", doc.index("```yaml") + 7)]
    missing = [path for path in _fields(Intake)
               if not re.search(rf"(^|[\s{{,]){re.escape(path.rsplit('.', 1)[-1])}:", block, re.M)]
    assert missing == []


def test_the_documented_example_fields_exist_in_the_model():
    """No key in the documented YAML that the model would reject (except the nested-value examples)."""
    doc = (REPO / "docs" / "intake-format.md").read_text(encoding="utf-8")
    block = doc[doc.index("```yaml"): doc.index("```", doc.index("```yaml") + 7)]
    keys = set(re.findall(r"^\s*([a-z_]+):", block, re.M))
    known = {path.rsplit(".", 1)[-1] for path in _fields(Intake)}
    assert keys - known == set()
