"""``Suite``: the one entry point of the SDK — every typed client of one deployment.

    suite = Suite.connect("sepolia")            # a named network (thekey.toml / networks.toml)
    suite = Suite.connect("http://127.0.0.1:8545", manifest="deployments/dev.json", account=key)

The clients share one :class:`~thekey.chain.Chain` (one connection, one nonce manager, the
network's confirmations and fee caps), so a backend builds one ``Suite`` at start-up and uses it
from every request thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from eth_account.signers.local import LocalAccount

from thekey.chain.connection import Chain
from thekey.consent.registry import ConsentRegistry
from thekey.consent.routes import DataRoutes
from thekey.credentials.anchoring import CredentialRegistry
from thekey.deploy import Deployment
from thekey.errors import BadInput
from thekey.identity.did import did_for
from thekey.identity.did_document import DIDResolver
from thekey.identity.registry import EIDRegistry, IdentityBinding
from thekey.networks import LOCAL, Network, resolve_network
from thekey.payments.escrow import Escrow
from thekey.token.tky import Token


@dataclass
class Suite:
    """The deployed suite: ``identity`` (EIDRegistry, ERC-1056), ``binding`` (IdentityBinding),
    ``credentials`` (issuers, schemas, anchors, status lists), ``consent``, ``routes``, ``token``
    (TKY) and ``escrow``, plus ``resolver`` for did:ethr documents. ``account`` is the caller's key
    (None for a read-only backend); the clients take the sender of each transaction explicitly."""

    deployment: Deployment
    account: LocalAccount | None = None
    network: Network = LOCAL
    identity: EIDRegistry = field(init=False)
    binding: IdentityBinding = field(init=False)
    credentials: CredentialRegistry = field(init=False)
    consent: ConsentRegistry = field(init=False)
    routes: DataRoutes = field(init=False)
    token: Token = field(init=False)
    escrow: Escrow = field(init=False)
    resolver: DIDResolver = field(init=False)

    def __post_init__(self) -> None:
        d = self.deployment
        self.identity = EIDRegistry.from_deployment(d)
        self.binding = IdentityBinding.from_deployment(d)
        self.credentials = CredentialRegistry.from_deployment(d)
        self.consent = ConsentRegistry.from_deployment(d)
        self.routes = DataRoutes.from_deployment(d)
        self.token = Token.from_deployment(d)
        self.escrow = Escrow.from_deployment(d)
        self.resolver = DIDResolver.from_deployment(d)

    @classmethod
    def connect(
        cls, network_or_url: str = "local", manifest: str | Path | None = None, account: LocalAccount | None = None
    ) -> Suite:
        """Connect to a named network or a JSON-RPC URL and load its deployment: from ``manifest``
        (a manifest file) if given, else the network's ``manifest``, else the per-chain default
        (``deployments/`` of the checkout, or ``$THEKEY_HOME`` / ``~/.local/share/thekey/deployments``).
        The manifest is checked against the code on chain; a stale one is a ConfigError."""
        network = resolve_network(network_or_url)
        chain = network.connect()
        path = Path(manifest).expanduser() if manifest is not None else network.manifest
        return cls(Deployment.load(chain, manifest=path), account, network)

    @property
    def chain(self) -> Chain:
        return self.deployment.chain

    def did(self, address: str | None = None) -> str:
        """The did:ethr DID of ``address`` (default: the suite's account) on this chain."""
        if address is None:
            if self.account is None:
                raise BadInput("no account: pass an address or connect with account=")
            address = self.account.address
        return did_for(self.chain.chain_id, address)
