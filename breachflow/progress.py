"""The progress callback long stages accept: ``progress(step, done, total)``, counts only.

The core calls it as work is finished; orchestration (``tasks.progress``) decides when a
report is worth making and where it goes (a log line, an artifact). Never a person's data.
"""

from __future__ import annotations

from collections.abc import Callable

# progress(step, done, total): ``done`` of ``total`` items of a stage's step are finished.
Progress = Callable[[str, int, int], None]
