"""`dvc pull` that says when the remote's data are corrupted, and never hangs.

    python tools/pull.py [--timeout SECONDS] [DVC PULL ARGUMENTS...]      (make pull)

With ``verify = true`` DVC re-hashes every object it downloads and drops any
whose content does not match the recorded md5, but it reports only that the
checkout "failed ... is your cache up to date?"; the word "corrupted" appears
only in its debug log. This runs ``dvc pull -v``, shows DVC's normal output,
and when DVC dropped objects, names them and says that the remote's copy is
damaged. DVC has no overall time limit for a remote that accepts connections
and then stalls, so the whole pull runs under ``--timeout`` (default 1800 s).
Exit status: DVC's, or 3 for corrupted objects, or 124 on timeout.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys

LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (DEBUG|INFO|WARNING|ERROR|TRACE): ?(.*)$")
CORRUPTED = re.compile(r"corrupted cache file '.*?([0-9a-f]{2})[/\\]([0-9a-f]{30,})(\.dir)?'")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds before the pull is stopped")
    arguments, dvc_arguments = parser.parse_known_args()
    command = [sys.executable, "-m", "dvc", "pull", "-v", *dvc_arguments]
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=arguments.timeout)
    except subprocess.TimeoutExpired:
        print(f"error: dvc pull did not finish within {arguments.timeout:.0f} s; is the remote reachable?", file=sys.stderr)
        return 124
    corrupted = []
    for line in (completed.stdout + completed.stderr).splitlines():
        match = LOG_LINE.match(line)
        if match is None:
            print(line)
            continue
        level, message = match.groups()
        found = CORRUPTED.search(message)
        if found:
            corrupted.append("".join(part for part in found.groups() if part))
        elif level in ("INFO", "WARNING", "ERROR"):
            print(f"{level.lower()}: {message}" if level != "INFO" else message)
    if corrupted:
        print(
            f"error: {len(corrupted)} object(s) downloaded from the remote are corrupted (content does not match "
            f"the md5 recorded in the .dvc/dvc.lock files): {', '.join(sorted(set(corrupted)))}. "
            "The remote's copy is damaged: nothing corrupted was checked out; ask the remote's maintainer to "
            "push again.",
            file=sys.stderr,
        )
        return 3
    return completed.returncode


if __name__ == "__main__":
    sys.exit(main())
