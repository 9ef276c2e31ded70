"""One jinja Environment for every document a person reads, and HTML → PDF rendering."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from pydantic import BaseModel

from breachflow.errors import RenderError
from breachflow.japan import ERAS
from breachflow.settings import get_settings

# Newest first. Dates before 昭和 stay in the Gregorian calendar, as they always have here.
_WAREKI_ERAS = tuple(era for era in reversed(ERAS) if era.name not in ("明治", "大正"))


def wareki(day: date) -> str:
    """A date in the Japanese era calendar, e.g. 令和8年11月27日 (元年 for year 1)."""
    for era in _WAREKI_ERAS:
        if day >= era.first_day:
            year = day.year - era.offset
            return f"{era.name}{'元' if year == 1 else year}年{day.month}月{day.day}日"
    return f"{day.year}年{day.month}月{day.day}日"


@lru_cache(maxsize=4)
def environment(templates_dir: Path | None = None) -> jinja2.Environment:
    """The shared Environment: StrictUndefined, autoescape for .html, templates from settings."""
    root = templates_dir or get_settings().templates_dir
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root)),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "htm", "xml", "html.j2", "htm.j2", "xml.j2"), default=False),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["wareki"] = wareki
    return env


def render(template: str, context: BaseModel | dict[str, Any], *, templates_dir: Path | None = None) -> str:
    """Render one template from a typed context model (or a dict of models)."""
    values = context.model_dump(mode="python") if isinstance(context, BaseModel) else context
    try:
        return environment(templates_dir).get_template(template).render(**values)
    except jinja2.TemplateNotFound:
        raise RenderError(f"template {template} not found under {templates_dir or get_settings().templates_dir}") from None
    except jinja2.UndefinedError as exc:
        raise RenderError(f"template {template}: {exc.message}") from None


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """Render HTML to PDF with WeasyPrint; fonts are embedded (subset)."""
    from weasyprint import HTML  # imported lazily: WeasyPrint loads Pango at import

    return HTML(string=html, base_url=base_url).write_pdf()
