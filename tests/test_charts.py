"""Charts are drawn with matplotlib's object API: pyplot keeps every open figure in a registry
shared by the whole process, which a web worker serving requests in threads must not depend on."""

import subprocess
import sys


def test_drawing_a_chart_does_not_load_pyplot():
    program = (
        "import sys, json\n"
        "from types import SimpleNamespace\n"
        "from casework.stats import exports\n"
        "cells = [{'category': 'total', 'value': '25'}, {'category': 'other', 'value': '<10'}]\n"
        "data = {'period': '2026-Q1', 'tables': [{'id': 'total', 'cells': cells, 'total': '25'}]}\n"
        "svg = exports.chart_svg(SimpleNamespace(content=json.dumps(data)), 'total')\n"
        "assert svg.startswith(b'<?xml'), svg[:40]\n"
        "print('matplotlib.pyplot' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "False"
