"""Real storage servers on 127.0.0.1 for the remote tests: an HTTP server that accepts DVC's uploads
and moto's S3 server (run from its own virtual environment, .venv-moto, so that its botocore pin
cannot clash with dvc-s3's aiobotocore)."""

from __future__ import annotations

import http.server
import os
import socket
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).parents[1]
MOTO_SERVER = ROOT / ".venv-moto" / "bin" / "moto_server"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class StorageHandler(http.server.BaseHTTPRequestHandler):
    """GET/HEAD serve files under the server's ``root``; PUT/POST store the body (plain or chunked)."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *arguments) -> None:  # keep pytest's output clean
        pass

    def _path(self) -> Path:
        relative = unquote(urlparse(self.path).path).lstrip("/")
        path = (self.server.root / relative).resolve()
        if self.server.root.resolve() not in path.parents and path != self.server.root.resolve():
            raise PermissionError(relative)
        return path

    def _reply(self, status: int, body: bytes = b"") -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        path = self._path()
        if path.is_file():
            self._reply(200, path.read_bytes())
        else:
            self._reply(404)

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length", 0)))

    def do_PUT(self) -> None:
        body = self._body()
        time.sleep(self.server.upload_delay_s)
        path = self._path()
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".partial")
        temporary.write_bytes(body)
        os.replace(temporary, path)
        self._reply(201)

    do_POST = do_PUT


@contextmanager
def http_storage(root: Path, upload_delay_s: float = 0.0):
    """An HTTP storage server on 127.0.0.1 in a thread; yields its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), StorageHandler)
    server.root, server.upload_delay_s = Path(root), upload_delay_s
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def s3_storage():
    """moto's S3 server on 127.0.0.1 in its own process; yields its endpoint URL."""
    if not MOTO_SERVER.is_file():
        raise RuntimeError(f"{MOTO_SERVER} is missing: run tools/install.sh (make test does)")
    port = free_port()
    process = subprocess.Popen(
        [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("moto_server did not start")
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)
