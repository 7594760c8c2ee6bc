"""How long a command takes to start: `unionsync --help` and a domain group's `--help`, each
run --repeat times in a fresh interpreter; median wall time, next to the interpreter alone and
to importing Typer (the floor any Typer command pays).

Usage:
  python bench/cli_start.py [--repeat 7]

Target (issue 19): well under a second (it was 3.3–4.6 s: every command imported every
domain, scikit-learn included, before parsing its arguments).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

UNIONSYNC = str(Path(sys.executable).parent / "unionsync")
COMMANDS = {
    "baseline: python -c pass": [sys.executable, "-c", "pass"],
    "baseline: import typer": [sys.executable, "-c", "import typer"],
    "unionsync --help": [UNIONSYNC, "--help"],
    "unionsync stats --help": [UNIONSYNC, "stats", "--help"],
    "unionsync match --help": [UNIONSYNC, "match", "--help"],
    "unionsync passport --help": [UNIONSYNC, "passport", "--help"],
}


def _median(command: list[str], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    for name, command in COMMANDS.items():
        print(f"{name:32s} {_median(command, args.repeat):6.2f} s", flush=True)


if __name__ == "__main__":
    main()
