"""A real `sme-hub serve` process on the test database, for tests that need the whole HTTP
stack (browser journeys, races between server workers)."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from sme_hub.config import Settings

REPO_ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 30.0
SECRET_KEY = "e2e-secret-key-that-is-long-enough-for-the-server-0123456789"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def health_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:  # noqa: S310
            status: int = response.status
            return status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError):
        return None


def stop(process: subprocess.Popen[bytes]) -> None:
    """Ask the server (and its worker processes, in its own group) to stop; then insist."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    # Granian's workers share the server's process group; leave none behind.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def server_settings(database_url: str, tmp_dir: Path) -> Settings:
    """What `running_server` gives its process, as settings for code run beside it."""
    return Settings(
        env="development",
        database_url=database_url,
        data_dir=tmp_dir / "data",
        secret_key=SECRET_KEY,
    )


@contextlib.contextmanager
def running_server(database_url: str, tmp_dir: Path, *, workers: int = 1) -> Iterator[str]:
    """`sme-hub serve` on a free port (with its development job worker); yields its URL and
    stops it, workers included, afterwards."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_dir / "server.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SME_HUB_DATA_DIR": str(tmp_dir / "data"),
        "SME_HUB_SECRET_KEY": SECRET_KEY,
        "SME_HUB_ENV": "development",
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        str(Path(sys.executable).parent / "sme-hub"),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: _stop ends the workers too
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while health_status(url) != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                why = (
                    f"exited with code {process.returncode}"
                    if process.poll() is not None
                    else f"did not answer GET /health with 200 within {START_TIMEOUT:.0f} s"
                )
                output = log_path.read_text(errors="replace")
                pytest.fail(f"the server {why}:\n{output}", pytrace=False)
            time.sleep(0.2)
        yield url
    finally:
        stop(process)
