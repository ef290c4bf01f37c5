"""TheKey: identity, credentials, consent and TKY payments on Ethereum-compatible chains."""

from thekey.errors import ContractRevert, TheKeyError

__version__ = "0.1.0"

__all__ = ["ContractRevert", "TheKeyError", "__version__"]
