// The reference SD-JWT VC library (@sd-jwt/sd-jwt-vc 0.19) on our credentials, with an ES256K
// signer and verifier over node:crypto (crypto-nodejs ships ES256/384/512 only).
//   {"mode": "verify", "sdjwt", "issuerJwk", "statusListJwt", "nonce"?, "currentDate"}
//       → {"ok": true, "payload" (with the disclosed claims), "kb"} or {"ok": false, "error"}
//   {"mode": "present", "sdjwt", "holderJwk" (private), "frame", "nonce", "aud", "iat"}
//       → {"ok": true, "presentation"}
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { digest } from '@sd-jwt/crypto-nodejs';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function es256kVerifier(jwk) {
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  return async (data, sig) => verify('sha256', Buffer.from(data), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url'));
}

function es256kSigner(jwk) {
  const key = createPrivateKey({ key: jwk, format: 'jwk' });
  return async (data) => {
    const raw = sign('sha256', Buffer.from(data), { key, dsaEncoding: 'ieee-p1363' });
    let s = BigInt('0x' + raw.subarray(32).toString('hex'));
    if (s > N / 2n) s = N - s; // low-S, as RFC 8812 and Ethereum keys expect
    return Buffer.concat([raw.subarray(0, 32), Buffer.from(s.toString(16).padStart(64, '0'), 'hex')]).toString('base64url');
  };
}

const request = JSON.parse(process.argv[2]);
let out;
try {
  if (request.mode === 'verify') {
    const sdjwt = new SDJwtVcInstance({
      hasher: digest,
      verifier: es256kVerifier(request.issuerJwk),
      statusListFetcher: async () => request.statusListJwt,
      kbVerifier: async (data, sig, payload) => es256kVerifier(payload.cnf.jwk)(data, sig),
    });
    const options = { currentDate: request.currentDate, ...(request.nonce ? { keyBindingNonce: request.nonce } : {}) };
    const result = await sdjwt.verify(request.sdjwt, options);
    out = { ok: true, payload: result.payload, kb: result.kb ? result.kb.payload : null };
  } else if (request.mode === 'present') {
    const sdjwt = new SDJwtVcInstance({ hasher: digest, kbSigner: es256kSigner(request.holderJwk), kbSignAlg: 'ES256K' });
    const kb = { payload: { iat: request.iat, aud: request.aud, nonce: request.nonce } };
    out = { ok: true, presentation: await sdjwt.present(request.sdjwt, request.frame, { kb }) };
  } else {
    throw new Error(`unknown mode ${request.mode}`);
  }
} catch (err) {
  out = { ok: false, error: String(err && err.message ? err.message : err) };
}
process.stdout.write(JSON.stringify(out));
