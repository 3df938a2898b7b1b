"""Slow clients cannot starve the server started by `registry serve` (issue 20, finding 3):
with many connections sending their headers a byte at a time, a visitor's page still comes at
once and no worker is killed. The full scenario (50 slow senders, 10 slow readers of a large
export) is `python -m bench.faults --scenario slow-clients`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

pytestmark = pytest.mark.slow
SLOW_SENDERS = 30


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_slow_header_senders_do_not_block_a_visitor(cli_env, tmp_path):
    env = {**os.environ, "REGISTRY_INSTANCE_DIR": str(cli_env),
           "REGISTRY_DATABASE_URL": f"sqlite:///{cli_env / 'registry.sqlite3'}",
           "REGISTRY_SECRET_KEY": "k"}  # fmt: skip
    for command in (["init"], ["seed"]):
        subprocess.run([sys.executable, "-m", "registry", *command], env=env, check=True,
                       capture_output=True, timeout=300)  # fmt: skip
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "registry", "serve", "--port", str(port)], env=env,
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    slow: list[socket.socket] = []
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        for _ in range(SLOW_SENDERS):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            slow.append(s)
        timings = []
        for n in range(10):
            for s in slow:
                s.sendall(b"X-Slow-%d: y\r\n" % n)
            started = time.monotonic()
            response = httpx.get(base + "/", timeout=10)
            timings.append(time.monotonic() - started)
            assert response.status_code == 200
            time.sleep(0.3)
        assert max(timings) < 2.0, timings
        assert server.poll() is None
    finally:
        for s in slow:
            s.close()
        server.terminate()
        server.wait(timeout=30)
        log.close()
    assert "WORKER TIMEOUT" not in (tmp_path / "serve.log").read_text()
