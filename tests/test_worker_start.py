"""gunicorn replaces each web worker after about a thousand requests (gunicorn.conf.py), so whatever a
worker imports at start-up is paid again and again under load. Libraries that serve one rare page,
the chart downloads (matplotlib) and the spreadsheet import (openpyxl), are imported by that page,
not by the app: together they were 1 s of a worker's 2.5 s start-up."""

import json
import subprocess
import sys

HEAVY = ("matplotlib", "openpyxl")


def test_a_new_worker_does_not_import_the_libraries_of_rare_pages(settings):
    program = (
        "import json, sys\n"
        "from casework import create_app\n"
        f"create_app(json.loads({json.dumps(json.dumps(settings))}))\n"
        f"print(','.join(sorted({{name.split('.')[0] for name in sys.modules}} & {set(HEAVY)!r})))\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == ""


def test_the_rare_pages_still_find_their_libraries():
    """The guard for the test above: the same probe sees the libraries once their pages have run."""
    program = (
        "import sys\n"
        "from casework.imports import sheets\n"
        "from casework.stats import exports\n"
        "exports._figure_class()\n"
        "try:\n"
        "    sheets._xlsx_rows(b'PK\\x03\\x04 not a workbook', 10)\n"
        "except sheets.SheetRefused:\n"
        "    pass\n"
        "print(','.join(sorted({name.split('.')[0] for name in sys.modules} & {'matplotlib', 'openpyxl'})))\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == ",".join(HEAVY)
