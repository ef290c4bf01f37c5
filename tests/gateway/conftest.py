"""A real gateway: uvicorn serving ``thekey.gateway`` on a loopback port over the session's suite."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import requests
import uvicorn

from tests.credentials.conftest import anchored, env, registry  # noqa: F401  (fixtures reused)
from thekey.deploy import Deployment
from thekey.gateway.app import GatewayConfig, create_app


class Gateway:
    def __init__(self, url: str) -> None:
        self.url = url

    def get(self, path: str, **kwargs: object) -> requests.Response:
        return requests.get(self.url + path, timeout=30, **kwargs)  # type: ignore[arg-type]

    def post(self, path: str, **kwargs: object) -> requests.Response:
        return requests.post(self.url + path, timeout=30, **kwargs)  # type: ignore[arg-type]


def serve(deployment: Deployment, config: GatewayConfig | None = None) -> Iterator[Gateway]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    server = uvicorn.Server(uvicorn.Config(create_app(deployment, config), log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the gateway did not start")
        time.sleep(0.02)
    try:
        yield Gateway(f"http://127.0.0.1:{sock.getsockname()[1]}")
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture(scope="module")
def gateway(deployment: Deployment) -> Iterator[Gateway]:
    yield from serve(deployment, GatewayConfig(rate_per_second=10_000, burst=10_000))
