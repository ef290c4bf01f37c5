// Resolve DIDs with the real npm ethr-did-resolver (did-resolver + ethers 6) against a registry.
// Usage: node resolve_ethr.cjs '<json: {rpcUrl, registry, chainId, now, dids: [...]}>'
// `now` (unix seconds) pins the resolver's clock (it reads `new Date()`), so expiry is deterministic.
'use strict';
const path = require('path');
const root = path.resolve(__dirname, '..', '..', 'node_modules');
const { Resolver } = require(path.join(root, 'did-resolver'));
const { getResolver } = require(path.join(root, 'ethr-did-resolver'));

const config = JSON.parse(process.argv[2]);
const fixed = Number(config.now) * 1000;
const RealDate = Date;
global.Date = class extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(fixed);
    else super(...args);
  }
  static now() {
    return fixed;
  }
};

async function main() {
  const resolver = new Resolver(
    getResolver({
      networks: [{ name: 'local', chainId: config.chainId, rpcUrl: config.rpcUrl, registry: config.registry }],
    })
  );
  const out = [];
  for (const did of config.dids) out.push(await resolver.resolve(did));
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  process.stderr.write(String((e && e.stack) || e));
  process.exit(1);
});
