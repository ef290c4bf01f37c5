"""The chain layer: embedded Anvil, connections, signing keys, transactions, error decoding."""

from thekey.chain.accounts import dev_accounts, from_keystore, from_private_key, signer_from_env, write_keystore
from thekey.chain.anvil import Anvil
from thekey.chain.connection import Chain
from thekey.chain.transactions import Receipt

__all__ = [
    "Anvil",
    "Chain",
    "Receipt",
    "dev_accounts",
    "from_keystore",
    "from_private_key",
    "signer_from_env",
    "write_keystore",
]
