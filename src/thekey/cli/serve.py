"""``thekey serve``: the HTTP gateway over a deployed suite."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from eth_account.signers.local import LocalAccount

from thekey.chain.accounts import from_keystore, from_private_key
from thekey.cli.common import ChainId, RpcUrl, Session, err_console
from thekey.credentials.status import check_base_url
from thekey.gateway.app import GatewayConfig, create_app
from thekey.gateway.server import listen, server
from thekey.gateway.status_lists import KEY_ATTRIBUTE, StatusListConfig, public_key_hex

StatusKeystore = Annotated[
    Path | None,
    typer.Option(
        "--status-keystore", dir_okay=False,
        help="Keystore of the key that signs status lists (else THEKEY_STATUS_KEY; without one no lists "
        "are served). Issuers authorise it in their DID: see docs/gateway.md.",
    ),
]  # fmt: skip


def load_status_key(keystore: Path | None) -> LocalAccount | None:
    """The key the gateway signs status lists with: ``--status-keystore``, else THEKEY_STATUS_KEY."""
    if keystore is not None:
        return from_keystore(keystore)
    key = os.environ.get("THEKEY_STATUS_KEY")
    return from_private_key(key) if key else None


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0 for every interface)."),
    port: int = typer.Option(8080, "--port", min=0, max=65535, help="TCP port to listen on (0 picks a free one)."),
    max_body: int = typer.Option(256 * 1024, "--max-body", min=1, help="Largest request body accepted, in bytes."),
    rate: float = typer.Option(100.0, "--rate", min=0.1, help="Requests per second allowed per client address."),
    burst: int = typer.Option(200, "--burst", min=1, help="Requests a client may send at once before --rate applies."),
    public_url: str | None = typer.Option(
        None,
        "--public-url",
        envvar="THEKEY_PUBLIC_URL",
        help="The URL clients reach this gateway at: the base of status list URLs (issue with the same "
        "--status-base-url) [default: http://<host>:<port> of the listening socket].",
    ),
    status_keystore: StatusKeystore = None,
    status_ttl: int = typer.Option(60, "--status-ttl", min=1, help="Seconds verifiers may cache a status list."),
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
) -> None:
    """Serve DID resolution, status lists, verification and chain reads over HTTP (read only):
    GET /1.0/identifiers/{did} (DIF Universal Resolver driver), GET /status-lists/… (W3C Bitstring
    Status List credentials), POST /credentials/verify and /presentations/verify (W3C VC API),
    GET /anchors/…, /consents/…, /agreements/…, GET /health, GET /ready, GET /openapi.json."""
    base = check_base_url(public_url) if public_url is not None else None
    key = load_status_key(status_keystore)
    sock = listen(host, port)
    deployment = Session(rpc_url=rpc_url, chain_id=chain_id).deployment()
    status = StatusListConfig(key=key, ttl_seconds=status_ttl)
    config = GatewayConfig(max_body_bytes=max_body, rate_per_second=rate, burst=burst, public_url=base, status=status)
    app = create_app(deployment, config)
    bound_host, bound_port = sock.getsockname()[:2]
    err_console.print(
        f"TheKey gateway on http://{bound_host}:{bound_port} — chain {deployment.chain.chain_id}, "
        f"suite at {deployment.address('credentials')}. Ctrl-C stops it.",
        highlight=False,
    )
    if key is not None:
        err_console.print(
            f"Status lists signed by {key.address}; an issuer authorises it with "
            f"`thekey did set-attribute <issuer DID> {KEY_ATTRIBUTE} {public_key_hex(key)}`.",
            highlight=False,
        )
    server(app).run(sockets=[sock])


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
