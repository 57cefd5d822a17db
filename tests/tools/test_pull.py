"""`make pull` (tools/pull.py) when the authors' repository, which data.dvc imports from, cannot be reached."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.helpers import ROOT, dvc
from tests.servers import free_port


def test_an_unreachable_import_repository_is_one_line_and_the_log_keeps_the_rest(tmp_path):
    repo = tmp_path / "project"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    dvc(repo, "init", "-q")
    closed = f"http://127.0.0.1:{free_port()}/authors.git"  # nothing listens there: connection refused
    (repo / "data.dvc").write_text(
        (ROOT / "data.dvc").read_text().replace("https://github.com/takahashi-akira-36m/opt_absorption_alignn", closed)
    )
    environment = {**os.environ, "PATH": f"{sys.executable.rsplit('/', 1)[0]}{os.pathsep}{os.environ['PATH']}"}
    completed = subprocess.run(
        [sys.executable, str(ROOT / "tools/pull.py"), "--timeout", "300", "data.dvc"],
        cwd=repo,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert completed.returncode != 0
    errors = [line for line in completed.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, completed.stderr
    assert f"the repository {closed} that data.dvc/model.dvc import from could not be reached" in errors[0]
    assert (
        "Connection refused" in errors[0] and "run `make pull` again" in errors[0] and ".dvc/tmp/pull.log" in errors[0]
    )
    assert "Traceback" not in completed.stdout + completed.stderr
    log = (repo / ".dvc/tmp/pull.log").read_text()
    assert "Traceback" in log and closed in log  # the full story is kept for whoever needs it
