"""One way to work through many rows: a batch at a time, one transaction per batch, progress shown.

Every long loop (re-evaluation, retention, seeding, key rotation) goes through `run_in_batches`, so
that each is resumable at a batch boundary, never holds one huge transaction, and shows a progress
bar on the command line or moves a job's progress on the admin page.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import nullcontext

import click

from casework.extensions import db


def chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def drained(pending: Callable[[int], Sequence], size: int) -> Iterator[Sequence]:
    """Batches from `pending(size)` until it returns nothing: for work that removes what it handles,
    so a run that was interrupted resumes where it stopped."""
    while batch := pending(size):
        yield batch


def run_in_batches(
    batches: Iterable[Sequence],
    handle: Callable,
    *,
    total: int,
    label: str | None = None,
    progress: Callable[[int], None] | None = None,
    after_batch: Callable[[], None] | None = None,
) -> int:
    """Call `handle(item)` for every item, committing after each batch; return how many were handled.

    `label` shows a progress bar (the command line); `progress(done)` reports to a job instead.
    `after_batch` runs after each commit (to release memory, say).
    """
    done = 0
    bar = click.progressbar(length=total, label=label, show_pos=True) if label else nullcontext()
    with bar as shown:
        for batch in batches:
            for item in batch:
                handle(item)
            db.session.commit()
            done += len(batch)
            if after_batch:
                after_batch()
            if shown is not None:
                shown.update(len(batch))
            if progress:
                progress(done)
    return done
