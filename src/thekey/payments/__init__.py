"""Payments: the payment-sharing escrow in TKY."""
