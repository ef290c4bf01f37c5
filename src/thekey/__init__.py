"""TheKey: identity, credentials, consent and TKY payments on Ethereum-compatible chains.

Everything an integration needs is importable from here::

    from thekey import Suite, GrantRequest, issue_credential, verify_credential, type_hash
    suite = Suite.connect("sepolia")          # a network named in thekey.toml / networks.toml

See docs/sdk.md.
"""

from thekey.chain import Anvil, Chain, Receipt, dev_accounts, from_keystore, from_private_key, signer_from_env
from thekey.chain.transactions import GasPolicy
from thekey.consent.ids import purpose_id, scope_id
from thekey.consent.registry import ConsentKey, ConsentReceipt, ConsentRegistry, GrantRequest
from thekey.consent.routes import DataRoutes
from thekey.credentials.anchoring import CredentialRegistry
from thekey.credentials.issuance import IssuedCredential, anchor_credential, issue_credential
from thekey.credentials.vc import type_hash
from thekey.credentials.verify import VerificationResult, verify_credential
from thekey.deploy import Deployment, SuiteConfig, deploy_suite
from thekey.errors import BadInput, ChainError, ChainIdMismatch, ConfigError, ContractRevert, TheKeyError
from thekey.identity.did import did_for
from thekey.identity.did_document import DIDResolver
from thekey.identity.registry import EIDRegistry, IdentityBinding
from thekey.ids import Id
from thekey.networks import Network, resolve_network
from thekey.parsing import label_hash
from thekey.payments.escrow import Escrow
from thekey.suite import Suite
from thekey.token.tky import Token

__version__ = "0.1.0"

__all__ = [
    "Anvil",
    "BadInput",
    "Chain",
    "ChainError",
    "ChainIdMismatch",
    "ConfigError",
    "ConsentKey",
    "ConsentReceipt",
    "ConsentRegistry",
    "ContractRevert",
    "CredentialRegistry",
    "DIDResolver",
    "DataRoutes",
    "Deployment",
    "EIDRegistry",
    "Escrow",
    "GasPolicy",
    "GrantRequest",
    "Id",
    "IdentityBinding",
    "IssuedCredential",
    "Network",
    "Receipt",
    "Suite",
    "SuiteConfig",
    "TheKeyError",
    "Token",
    "VerificationResult",
    "__version__",
    "anchor_credential",
    "deploy_suite",
    "dev_accounts",
    "did_for",
    "from_keystore",
    "from_private_key",
    "issue_credential",
    "label_hash",
    "purpose_id",
    "resolve_network",
    "scope_id",
    "signer_from_env",
    "type_hash",
    "verify_credential",
]
