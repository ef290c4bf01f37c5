// Veramo 7 (@veramo/credential-eip712 + ethr-did-resolver on our ERC-1056 registry) as the
// reference EthereumEip712Signature2021 implementation.
// Usage: node veramo_eip712.mjs '<json: {rpcUrl, registry, chainId, verify: [vc...]}>'
//    or: node veramo_eip712.mjs '<json: {rpcUrl, registry, chainId, privateKey, issue: payload}>'
// Prints [{verified, error}] for `verify`, the signed credential for `issue`.
import { createAgent } from '@veramo/core';
import { CredentialPlugin } from '@veramo/credential-w3c';
import { CredentialProviderEIP712 } from '@veramo/credential-eip712';
import { DIDManager, MemoryDIDStore } from '@veramo/did-manager';
import { DIDResolverPlugin } from '@veramo/did-resolver';
import { KeyManager, MemoryKeyStore, MemoryPrivateKeyStore } from '@veramo/key-manager';
import { KeyManagementSystem } from '@veramo/kms-local';
import { Resolver } from 'did-resolver';
import { getResolver } from 'ethr-did-resolver';
import { Wallet } from 'ethers';

const config = JSON.parse(process.argv[2]);
const network = { name: 'local', chainId: config.chainId, rpcUrl: config.rpcUrl, registry: config.registry };
const agent = createAgent({
  plugins: [
    new KeyManager({ store: new MemoryKeyStore(), kms: { local: new KeyManagementSystem(new MemoryPrivateKeyStore()) } }),
    new DIDManager({ store: new MemoryDIDStore(), defaultProvider: 'did:ethr', providers: {} }),
    new DIDResolverPlugin({ resolver: new Resolver(getResolver({ networks: [network] })) }),
    new CredentialPlugin([new CredentialProviderEIP712()]),
  ],
});

async function issue() {
  const wallet = new Wallet(config.privateKey);
  const did = `did:ethr:0x${config.chainId.toString(16)}:${wallet.address}`;
  const publicKeyHex = wallet.signingKey.compressedPublicKey.slice(2);
  await agent.didManagerImport({
    did,
    provider: 'did:ethr',
    controllerKeyId: publicKeyHex,
    keys: [{ kid: publicKeyHex, kms: 'local', type: 'Secp256k1', privateKeyHex: config.privateKey.replace(/^0x/, '') }],
    services: [],
  });
  return agent.createVerifiableCredential({
    credential: { ...config.issue, issuer: did },
    proofFormat: 'EthereumEip712Signature2021',
  });
}

async function verify() {
  const out = [];
  for (const credential of config.verify) {
    // credentialStatus is TheKey's on-chain list, which Veramo has no plugin for: the signature
    // and the issuer's DID document are what Veramo checks here
    const r = await agent.verifyCredential({ credential, policies: { credentialStatus: false } });
    out.push({ verified: r.verified, error: r.error ? r.error.message : null });
  }
  return out;
}

(config.issue ? issue() : verify())
  .then((result) => process.stdout.write(JSON.stringify(result)))
  .catch((e) => {
    process.stderr.write(String((e && e.stack) || e));
    process.exit(1);
  });
