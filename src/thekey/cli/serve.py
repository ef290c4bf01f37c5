"""``thekey serve``: the HTTP gateway over a deployed suite."""

from __future__ import annotations

import typer

from thekey.cli.common import ChainId, RpcUrl, Session, err_console
from thekey.gateway.app import GatewayConfig, create_app
from thekey.gateway.server import listen, server


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0 for every interface)."),
    port: int = typer.Option(8080, "--port", min=0, max=65535, help="TCP port to listen on (0 picks a free one)."),
    max_body: int = typer.Option(256 * 1024, "--max-body", min=1, help="Largest request body accepted, in bytes."),
    rate: float = typer.Option(100.0, "--rate", min=0.1, help="Requests per second allowed per client address."),
    burst: int = typer.Option(200, "--burst", min=1, help="Requests a client may send at once before --rate applies."),
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
) -> None:
    """Serve DID resolution, credential verification and chain reads over HTTP (read only, no keys):
    GET /1.0/identifiers/{did} (DIF Universal Resolver driver), POST /credentials/verify (W3C VC API),
    GET /anchors/{issuer}/{hash}, GET /health, GET /ready, GET /openapi.json."""
    sock = listen(host, port)
    deployment = Session(rpc_url=rpc_url, chain_id=chain_id).deployment()
    app = create_app(deployment, GatewayConfig(max_body_bytes=max_body, rate_per_second=rate, burst=burst))
    bound_host, bound_port = sock.getsockname()[:2]
    err_console.print(
        f"TheKey gateway on http://{bound_host}:{bound_port} — chain {deployment.chain.chain_id}, "
        f"suite at {deployment.address('credentials')}. Ctrl-C stops it.",
        highlight=False,
    )
    server(app).run(sockets=[sock])


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
