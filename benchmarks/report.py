"""How every benchmark prints: each line carries the machine's load average at that moment.

On a shared machine a figure moves with the neighbours' load, so a figure is only worth as much as
the load it was measured under; the README quotes figures together with it.
"""

import os


def load() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def say(text: str) -> None:
    """Print one line of a benchmark's report, with the load average now."""
    print(f"{text}   [{load()}]", flush=True)
