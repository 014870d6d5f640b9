"""`make mutate`: change one security-critical line at a time and check that the tests notice.

Each entry of mutations.toml (next to this file) names a file, the exact text to change, what to
change it into, and the tests that must fail once it is changed. The mutations are applied to a copy
of the working tree, one at a time, each undone before the next (also on Ctrl-C), so the checkout
itself is never touched. Prints "N of M killed" and the survivors; exits non-zero if any mutation
survives, cannot be applied (its text is gone from the file), or breaks the tests' collection.

    .venv/bin/python tests/mutations/run.py [--only WORDS] [--commit REV] [--list]

With --commit, the copy is of that commit instead of the working tree (what a fresh clone would test).

CASEWORK_TEST_DATABASE_URL is passed on, so `CASEWORK_TEST_DATABASE_URL=postgresql+psycopg://... make
mutate` runs the same on PostgreSQL.
"""

import argparse
import io
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIST = Path(__file__).with_name("mutations.toml")
#: A mutation whose tests hang is as good as caught, but the run must go on.
TIMEOUT_SECONDS = 600


@dataclass
class Mutation:
    name: str
    file: str
    original: str
    replacement: str
    tests: list[str]
    outcome: str = ""
    detail: list[str] = field(default_factory=list)


def load(path: Path = LIST) -> list[Mutation]:
    with path.open("rb") as handle:
        entries = tomllib.load(handle)["mutation"]
    mutations = [Mutation(**entry) for entry in entries]
    for mutation in mutations:
        if mutation.original == mutation.replacement or not mutation.tests:
            raise SystemExit(f"{LIST.name}: {mutation.name!r} changes nothing or names no test")
    return mutations


def snapshot(target: Path, commit: str | None) -> None:
    """Copy the working tree as git sees it (tracked and new files, not ignored ones), or `commit`'s
    tree, plus the compiled catalogues the app needs."""
    names = [str(path.relative_to(ROOT)) for path in (ROOT / "translations").glob("*/LC_MESSAGES/*.mo")]
    if commit:
        archive = subprocess.run(["git", "archive", "--format=tar", commit], cwd=ROOT, capture_output=True, check=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as bundle:
            bundle.extractall(target, filter="data")
    else:
        listed = (
            subprocess.run(
                ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True, check=True
            )
            .stdout.decode()
            .split("\0")
        )
        names += [name for name in listed if name and (ROOT / name).is_file()]
    for name in names:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target / name)


def run_tests(copy: Path, tests: list[str]) -> tuple[int, str]:
    environment = {**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-o", "addopts=", *tests]
    try:
        done = subprocess.run(command, cwd=copy, env=environment, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        return -1, "timed out"
    return done.returncode, done.stdout[-2000:] + done.stderr[-2000:]


def try_mutation(copy: Path, mutation: Mutation) -> None:
    path = copy / mutation.file
    original = path.read_text(encoding="utf-8")
    if original.count(mutation.original) != 1:
        mutation.outcome = "not applied"
        mutation.detail = [f"the text to change occurs {original.count(mutation.original)} times in {mutation.file}, not once"]
        return
    path.write_text(original.replace(mutation.original, mutation.replacement), encoding="utf-8")
    try:
        status, output = run_tests(copy, mutation.tests)
    finally:
        path.write_text(original, encoding="utf-8")
    if status in (1, -1):
        mutation.outcome = "killed"
    elif status == 0:
        mutation.outcome = "survived"
    else:
        mutation.outcome = "error"
        mutation.detail = [f"pytest exit status {status}", *output.strip().splitlines()[-5:]]


def _stop(_signum, _frame):
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run only the mutations whose name contains this text")
    parser.add_argument("--commit", help="test this commit's tree (e.g. HEAD) instead of the working tree")
    parser.add_argument("--list", action="store_true", help="print the mutations and their tests, run nothing")
    arguments = parser.parse_args()
    mutations = [m for m in load() if not arguments.only or arguments.only.lower() in m.name.lower()]
    if arguments.list:
        for mutation in mutations:
            print(f"{mutation.name}\n    {mutation.file}: {' '.join(mutation.tests)}")
        return 0
    signal.signal(signal.SIGTERM, _stop)
    with tempfile.TemporaryDirectory(prefix="casework-mutate-") as folder:
        copy = Path(folder)
        snapshot(copy, arguments.commit)
        every_test = sorted({test for mutation in mutations for test in mutation.tests})
        print(f"Checking that the {len(every_test)} named tests pass unchanged...", flush=True)
        status, output = run_tests(copy, every_test)
        if status != 0:
            print(output, file=sys.stderr)
            print("The named tests fail without any mutation: fix them first.", file=sys.stderr)
            return 2
        try:
            for number, mutation in enumerate(mutations, 1):
                started = time.monotonic()
                print(f"[{number:>2}/{len(mutations)}] {mutation.name} ... ", end="", flush=True)
                try_mutation(copy, mutation)
                print(f"{mutation.outcome} ({time.monotonic() - started:.0f} s)", flush=True)
                for line in mutation.detail:
                    print(f"        {line}")
        except KeyboardInterrupt:
            print("\ninterrupted; the copy is discarded, the checkout was never changed", file=sys.stderr)
            return 130
    killed = [m for m in mutations if m.outcome == "killed"]
    print(f"\n{len(killed)} of {len(mutations)} killed")
    for mutation in mutations:
        if mutation.outcome != "killed":
            print(f"  {mutation.outcome.upper()}: {mutation.name} ({mutation.file})")
    return 0 if len(killed) == len(mutations) else 1


if __name__ == "__main__":
    sys.exit(main())
