"""eID: ERC-1056 DIDs (registry client, did:ethr parsing, DID documents) and the real-identity binding."""
