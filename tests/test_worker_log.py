"""S19 in the job worker: a task that fails leaves its error's type and place in the worker's log,
never the error's text (a driver's error may quote a value) nor a traceback, and nothing in the job
store. Run as systemd runs it: `huey_consumer casework.worker.queue`, which imports the app and only
then sets up its own log handler."""

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from huey import SqliteHuey

from casework.config import PROJECT_ROOT
from tests.conftest import TEST_KEY_FILE

BIN = Path(sys.executable).parent
#: What the failing task's error quotes, as a database driver's error may quote a row.
QUOTED = "Sokolov +79161234567"

PROBE = """
from casework.worker import queue


@queue.task()
def refuse(value):
    raise RuntimeError(f"value {value} refused")
"""


def _environment(folder: Path) -> dict:
    return {
        **{key: value for key, value in os.environ.items() if not key.startswith("CASEWORK_")},
        "PYTHONPATH": os.pathsep.join([str(folder), str(PROJECT_ROOT)]),
        "CASEWORK_ENV": "development",
        "CASEWORK_KEY_FILE": str(TEST_KEY_FILE),
        "CASEWORK_DATABASE_URL": f"sqlite:///{folder / 'casework.sqlite'}",
        "CASEWORK_DOCUMENT_DIR": str(folder / "documents"),
        "CASEWORK_JOB_STORE": str(folder / "jobs.sqlite"),
    }


def test_a_failed_task_leaves_neither_its_text_nor_a_traceback_in_the_log_or_the_store(tmp_path):
    (tmp_path / "worker_probe.py").write_text(textwrap.dedent(PROBE))
    environment = _environment(tmp_path)
    queued = subprocess.run(
        [sys.executable, "-c", f"import worker_probe; worker_probe.refuse({QUOTED!r})"],
        env=environment,
        capture_output=True,
        text=True,
    )
    assert queued.returncode == 0, queued.stderr[-2000:]

    log = tmp_path / "worker.log"
    consumer = subprocess.Popen(
        [str(BIN / "huey_consumer"), "worker_probe.queue", "--workers", "1", "--logfile", str(log)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "Unhandled exception in task" not in (log.read_text() if log.exists() else ""):
            time.sleep(0.2)
    finally:
        consumer.terminate()
        standard_output, _ = consumer.communicate(timeout=30)
    logged = log.read_text()
    assert "Unhandled exception in task" in logged, f"the task did not run:\n{logged}\n{standard_output}"
    assert "RuntimeError at" in logged, "the log still says what failed and where"
    for place, text in (("the worker's log file", logged), ("its standard error (the journal)", standard_output)):
        assert QUOTED not in text and "Traceback" not in text, f"{place} carries the error's text or traceback:\n{text}"
    store = SqliteHuey("casework", filename=environment["CASEWORK_JOB_STORE"])
    assert store.storage.result_store_size() == 0, "the job store keeps the failed task's error"
