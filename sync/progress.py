"""A progress display for long syncs: the engine names each step; the CLI shows the steps (with rich)
only on a terminal and only for books over a few thousand tasks. Without a display, steps cost nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

SHOW_FROM_TASKS = 3000  # smaller books sync in about a second: no display
STEPS = ("读取工作簿", "判定颜色和调度类别", "生成汇总表", "写回工作簿")


@dataclass
class _Display:
    console: Console
    progress: Progress | None = None
    task: TaskID | None = None
    heading: str = ""

    def tasks(self, count: int) -> None:
        if count >= SHOW_FROM_TASKS and self.progress is None and self.console.is_terminal:
            self.progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TextColumn("{task.completed}/{task.total}"),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self.progress.start()
            self.heading = f"同步 {count} 项任务"
            self.task = self.progress.add_task(f"{self.heading}：{STEPS[0]}", total=len(STEPS))

    def step(self, label: str) -> None:
        if self.progress is not None and self.task is not None:
            done = STEPS.index(label) if label in STEPS else 0
            # refreshed at once: a step shorter than the display's refresh interval is still shown
            self.progress.update(self.task, description=f"{self.heading}：{label}", completed=done, refresh=True)

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()


_DISPLAY: ContextVar[_Display | None] = ContextVar("progress_display", default=None)


@contextmanager
def progress_display(console: Console) -> Iterator[None]:
    """Show the steps of syncs run inside this block on ``console`` (when it is a terminal)."""
    display = _Display(console)
    token = _DISPLAY.set(display)
    try:
        yield
    finally:
        display.stop()
        _DISPLAY.reset(token)


def tasks(count: int) -> None:
    """The engine read a book with ``count`` tasks: a display shows from here on if the book is large."""
    if (display := _DISPLAY.get()) is not None:
        display.tasks(count)


def step(label: str) -> None:
    """The engine begins step ``label`` (one of :data:`STEPS`)."""
    if (display := _DISPLAY.get()) is not None:
        display.step(label)
