"""The TKY token (ERC-20 + EIP-2612 permit)."""
