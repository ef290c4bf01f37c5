"""The HTTP gateway: DID resolution, credential verification and chain reads over standard interfaces."""
