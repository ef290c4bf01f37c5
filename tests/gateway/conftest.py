"""A real gateway: uvicorn serving ``thekey.gateway`` on a loopback port over the session's suite."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests

from tests.credentials.conftest import anchored, env, registry  # noqa: F401  (fixtures reused)
from thekey.deploy import Deployment
from thekey.gateway.app import GatewayConfig, create_app
from thekey.gateway.server import serving


class Gateway:
    def __init__(self, url: str) -> None:
        self.url = url

    def get(self, path: str, **kwargs: object) -> requests.Response:
        return requests.get(self.url + path, timeout=30, **kwargs)  # type: ignore[arg-type]

    def post(self, path: str, **kwargs: object) -> requests.Response:
        return requests.post(self.url + path, timeout=30, **kwargs)  # type: ignore[arg-type]


@contextmanager
def serve(deployment: Deployment, config: GatewayConfig | None = None) -> Iterator[Gateway]:
    with serving(create_app(deployment, config)) as url:
        yield Gateway(url)


@pytest.fixture(scope="module")
def gateway(deployment: Deployment) -> Iterator[Gateway]:
    with serve(deployment, GatewayConfig(rate_per_second=10_000, burst=10_000)) as gw:
        yield gw
