"""`dvc pull` that says when the remote's data are corrupted, and never hangs.

    python tools/pull.py [--timeout SECONDS] [DVC PULL ARGUMENTS...]      (make pull)

With ``verify = true`` DVC re-hashes every object it downloads and drops any
whose content does not match the recorded md5, but it reports only that the
checkout "failed ... is your cache up to date?"; the word "corrupted" appears
only in its debug log. This runs ``dvc pull -v``, shows DVC's normal output,
and when DVC dropped objects, names them and says that the remote's copy is
damaged. DVC has no overall time limit for a remote that accepts connections
and then stalls, so the whole pull runs under ``--timeout`` (default 1800 s).

DVC's whole verbose output is kept in ``--log`` (default ``.dvc/tmp/pull.log``); the terminal
shows its normal messages without tracebacks. When an import's repository (the authors', for
data.dvc and model.dvc) cannot be reached, one line says so, what to check, and where the log is.
Exit status: DVC's, or 3 for corrupted objects, or 124 on timeout.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (DEBUG|INFO|WARNING|ERROR|TRACE): ?(.*)$")
CORRUPTED = re.compile(r"corrupted cache file '.*?([0-9a-f]{2})[/\\]([0-9a-f]{30,})(\.dir)?'")
UNREACHABLE = re.compile(
    r"Failed to clone repo '(?P<url>[^']+)'.*?(?P<cause>Failed to resolve '[^']+'|Connection refused|timed out|Network is unreachable|No route to host)"
)


def unreachable_repository(message: str, log: Path) -> str | None:
    """The one line to print when DVC could not clone an import's repository, else None."""
    found = UNREACHABLE.search(message)
    if not found:
        return None
    return (
        f"error: the repository {found['url']} that data.dvc/model.dvc import from could not be reached "
        f"({found['cause']}); check the network connection and any proxy (HTTPS_PROXY), then run `make pull` "
        f"again. DVC's full log: {log}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds before the pull is stopped")
    parser.add_argument(
        "--log", type=Path, default=Path(".dvc/tmp/pull.log"), help="where DVC's verbose output is kept"
    )
    arguments, dvc_arguments = parser.parse_known_args()
    command = [sys.executable, "-m", "dvc", "pull", "-v", *dvc_arguments]
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=arguments.timeout)
    except subprocess.TimeoutExpired:
        print(
            f"error: dvc pull did not finish within {arguments.timeout:.0f} s; is the remote reachable?",
            file=sys.stderr,
        )
        return 124
    output = completed.stdout + completed.stderr
    arguments.log.parent.mkdir(parents=True, exist_ok=True)
    arguments.log.write_text(output)
    corrupted, in_traceback = [], False
    for line in output.splitlines():
        match = LOG_LINE.match(line)
        if match is None:
            in_traceback = in_traceback or line.startswith("Traceback (most recent call last)")
            if not in_traceback:
                print(line)
            continue
        in_traceback = False
        level, message = match.groups()
        found = CORRUPTED.search(message)
        if found:
            corrupted.append("".join(part for part in found.groups() if part))
        elif level == "ERROR" and (unreachable := unreachable_repository(message, arguments.log)):
            print(unreachable, file=sys.stderr)
            return completed.returncode or 1
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
