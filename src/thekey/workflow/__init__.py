"""The end-to-end verification flow and its off-chain parts (policy, identity check, vault, audit)."""
