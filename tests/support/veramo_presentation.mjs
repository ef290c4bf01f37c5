// Veramo 7 (@veramo/credential-eip712, holder DID resolved by ethr-did-resolver on our ERC-1056
// registry) as the reference verifier of EthereumEip712Signature2021 presentations.
// Usage: node veramo_presentation.mjs '<json: {rpcUrl, registry, chainId, verify: [vp...]}>'
// Prints [{verified, error}]: the proof recovers to a key of the holder's DID document.
import { createAgent } from '@veramo/core';
import { CredentialPlugin } from '@veramo/credential-w3c';
import { CredentialProviderEIP712 } from '@veramo/credential-eip712';
import { DIDResolverPlugin } from '@veramo/did-resolver';
import { Resolver } from 'did-resolver';
import { getResolver } from 'ethr-did-resolver';

const config = JSON.parse(process.argv[2]);
const network = { name: 'local', chainId: config.chainId, rpcUrl: config.rpcUrl, registry: config.registry };
const agent = createAgent({
  plugins: [
    new DIDResolverPlugin({ resolver: new Resolver(getResolver({ networks: [network] })) }),
    new CredentialPlugin([new CredentialProviderEIP712()]),
  ],
});

async function verify() {
  const out = [];
  for (const presentation of config.verify) {
    try {
      const r = await agent.verifyPresentation({ presentation });
      out.push({ verified: r.verified, error: r.error ? r.error.message : null });
    } catch (e) {
      out.push({ verified: false, error: String((e && e.message) || e) });
    }
  }
  return out;
}

verify()
  .then((result) => process.stdout.write(JSON.stringify(result)))
  .catch((e) => {
    process.stderr.write(String((e && e.stack) || e));
    process.exit(1);
  });
