// @digitalbazaar/vc-bitstring-status-list 2.0.1 as the reference Bitstring Status List verifier:
// `checkStatus` fetches each entry's `statusListCredential` through jsonld's standard node
// document loader (plain HTTP GET of our gateway URL) and verifies the list credential
// (`verifyBitstringStatusListCredential` on, `verifyMatchingIssuers` on) with @digitalbazaar/vc
// and jsonld-signatures. Those have no suite for EthereumEip712Signature2021, so the suite below
// supplies one, strictly: EIP-712 v4 recovery by MetaMask's eth-sig-util over the proof's own
// types (refusing any member they do not cover), the verification method dereferenced from the
// issuer's DID document (ethr-did-resolver on the chain, independent of the gateway), and the
// recovered address equal to that method's key. jsonld-signatures' proof purpose then checks the
// method is an `assertionMethod` of the credential's issuer.
// Usage: node bitstring_status.mjs '<json: {rpcUrl, registry, chainId, credentials: [vc...]}>'
// Prints [{verified, error, statuses: {purpose: bool}}] per credential.
import { checkStatus } from '@digitalbazaar/vc-bitstring-status-list';
import jsonld from 'jsonld';
import { Resolver } from 'did-resolver';
import { getResolver } from 'ethr-did-resolver';
import { recoverTypedSignature, SignTypedDataVersion } from '@metamask/eth-sig-util';
import { computeAddress } from 'ethers';

const config = JSON.parse(process.argv[2]);
const network = { name: 'local', chainId: config.chainId, rpcUrl: config.rpcUrl, registry: config.registry };
const resolver = new Resolver(getResolver({ networks: [network] }));
const httpLoader = jsonld.documentLoaders.node();

async function documentLoader(url) {
  if (!url.startsWith('did:')) return httpLoader(url);
  const [did] = url.split('#');
  const { didDocument, didResolutionMetadata } = await resolver.resolve(did);
  if (!didDocument) throw new Error(`cannot resolve ${did}: ${didResolutionMetadata.error}`);
  const document = url === did ? didDocument : didDocument.verificationMethod.find((m) => m.id === url);
  if (!document) throw new Error(`${url} is not in the DID document`);
  return { contextUrl: null, documentUrl: url, document };
}

// Every member of `value` is a field of struct `name` (eth-sig-util would silently drop others).
function covered(types, name, value, where) {
  const base = name.endsWith('[]') ? name.slice(0, -2) : name;
  if (name.endsWith('[]')) return value.forEach((v, i) => covered(types, base, v, `${where}[${i}]`));
  if (!types[base]) return;
  const fields = new Map(types[base].map((f) => [f.name, f.type]));
  for (const [key, v] of Object.entries(value)) {
    if (!fields.has(key)) throw new Error(`${where}.${key} is not covered by the proof's EIP-712 types`);
    if (v !== null && typeof v === 'object') covered(types, fields.get(key), v, `${where}.${key}`);
  }
}

class EthereumEip712Signature2021 {
  type = 'EthereumEip712Signature2021';

  async matchProof({ proof }) {
    return proof.type === this.type;
  }

  async verifyProof({ proof, document, documentLoader }) {
    try {
      // jsonld-signatures hands the proof over with the document's @context added; ours has none
      const { '@context': _added, proofValue, eip712, eip712Domain, ...options } = proof;
      const message = { ...document, proof: options };
      covered(eip712.types, eip712.primaryType, message, 'credential');
      const recovered = recoverTypedSignature({
        data: { types: eip712.types, domain: eip712.domain, primaryType: eip712.primaryType, message },
        signature: proofValue,
        version: SignTypedDataVersion.V4,
      });
      const { document: method } = await documentLoader(proof.verificationMethod);
      const address = method.blockchainAccountId
        ? method.blockchainAccountId.split(':').pop()
        : method.publicKeyHex && computeAddress('0x' + method.publicKeyHex);
      if (!address || address.toLowerCase() !== recovered.toLowerCase()) {
        throw new Error(`signed by ${recovered}, not by the key of ${proof.verificationMethod}`);
      }
      return { verified: true, verificationMethod: method };
    } catch (error) {
      return { verified: false, error };
    }
  }
}

async function main() {
  const suite = new EthereumEip712Signature2021();
  const out = [];
  for (const credential of config.credentials) {
    const r = await checkStatus({ credential, documentLoader, suite, verifyBitstringStatusListCredential: true });
    const statuses = {};
    for (const { credentialStatus, status } of r.results || []) statuses[credentialStatus.statusPurpose] = status;
    out.push({ verified: r.verified, error: r.error ? r.error.message : null, statuses });
  }
  return out;
}

main()
  .then((result) => process.stdout.write(JSON.stringify(result)))
  .catch((e) => {
    process.stderr.write(String((e && e.stack) || e));
    process.exit(1);
  });
