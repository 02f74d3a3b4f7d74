"""Writing records in the background, so an answer never waits for the database.

:class:`RecordWriter` runs each submitted write in one background thread, in order. A write that
fails — typically because another program holds the database longer than the storage's bounded
wait, or because the database server cannot be reached — is dropped with one log line (saying
which) and counted; so is a write that finds the queue full or the
writer closing. Nothing here ever blocks the caller.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from bot.staff.storage import describe_failure

log = logging.getLogger(__name__)

QUEUE_CAPACITY = 1000


@dataclass(frozen=True)
class _Job:
    write: Callable[[], Any]
    what: str
    done: Future[Any]


class RecordWriter:
    """One background thread writing records in the order submitted; see the module docstring."""

    def __init__(self, capacity: int = QUEUE_CAPACITY, name: str = "hubbot-records") -> None:
        self._queue: queue.Queue[_Job | None] = queue.Queue(maxsize=capacity)
        self._count_lock = threading.Lock()
        self._dropped = 0
        self._closing = False
        self._give_up_at: float | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    @property
    def dropped(self) -> int:
        """How many records could not be written since the writer started."""
        with self._count_lock:
            return self._dropped

    @property
    def pending(self) -> int:
        return self._queue.qsize()

    def submit(self, write: Callable[[], Any], what: str) -> Future[Any]:
        """Queue ``write`` (``what`` names it in the log); its future holds the result or the error.

        Returns at once; when the queue is full or the writer is closing, the record is dropped
        (counted, logged) and the future already holds the error.
        """
        done: Future[Any] = Future()
        if self._closing:
            self._drop(done, what, RuntimeError("the bot is shutting down"))
            return done
        try:
            self._queue.put_nowait(_Job(write, what, done))
        except queue.Full:
            self._drop(done, what, RuntimeError(f"{self._queue.maxsize} records already waiting"))
        return done

    def written(self) -> Future[Any]:
        """A future done once everything submitted so far has been written or dropped."""
        return self.submit(lambda: None, "nothing (a barrier)")

    def close(self, timeout: float) -> None:
        """Write what is queued for at most ``timeout`` seconds, drop the rest, and stop the thread."""
        self._closing = True
        self._give_up_at = time.monotonic() + timeout
        while True:
            try:
                self._queue.put(None, timeout=0.05)
                break
            except queue.Full:
                if not self._thread.is_alive():
                    break
        self._thread.join(timeout + 1)

    def _run(self) -> None:
        while (job := self._queue.get()) is not None:
            if self._give_up_at is not None and time.monotonic() > self._give_up_at:
                self._drop(job.done, job.what, RuntimeError("the bot is shutting down"))
                continue
            try:
                result = job.write()
            except Exception as error:  # a record must never take the bot down
                self._drop(job.done, job.what, error)
            else:
                job.done.set_result(result)

    def _drop(self, done: Future[Any], what: str, error: BaseException) -> None:
        with self._count_lock:
            self._dropped += 1
            dropped = self._dropped
        log.warning("record dropped: could not write %s (%s); %d dropped since start", what, describe_failure(error), dropped)
        done.set_exception(error)
