// Solidity statement/branch/function/line coverage with solidity-coverage (istanbul), offline.
//
//   make sol-coverage            (= node_modules/.bin/hardhat --config scripts/sol_coverage.cjs coverage
//                                     --solcoverjs scripts/sol_coverage.cjs)
//
// solidity-coverage is a Hardhat plugin: its `coverage` task instruments contracts/, compiles
// the instrumented sources, attaches an opcode listener to Hardhat's in-process EVM and then
// runs Hardhat's `test` task. This file is both the Hardhat config and the .solcover.js, and
// it changes two things only:
//   * the compiler is node_modules/solc/soljson.js (solc-js 0.8.29, no download), and
//   * the `test` task runs the project's own pytest suite instead of mocha: it serves the
//     instrumented in-process chain over JSON-RPC (anvil_* method names mapped to Hardhat's),
//     writes the instrumented artifacts in thekey's build layout, and starts pytest with the
//     plugin scripts/sol_coverage.py, which points the session fixtures (chain + artifacts)
//     at them. Every transaction and eth_call the Python tests make is therefore measured.
// Test selection: SOL_COVERAGE_TESTS (space-separated pytest arguments), default below.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');
const { subtask, task } = require('hardhat/config');
const {
  TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD,
  TASK_COMPILE_SOLIDITY_GET_SOURCE_PATHS,
  TASK_NODE_CREATE_SERVER,
  TASK_TEST,
} = require('hardhat/builtin-tasks/task-names');
require('solidity-coverage');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'build', 'sol-coverage');
const SOLC_VERSION = '0.8.29';
const DEFAULT_TESTS = [
  'tests/token', 'tests/identity', 'tests/credentials', 'tests/consent', 'tests/escrow',
  'tests/workflow', 'tests/stateful', 'tests/security',
];
// Anvil-only JSON-RPC names the SDK uses, and their Hardhat equivalents.
const RPC_ALIASES = {
  anvil_setNextBlockTimestamp: 'evm_setNextBlockTimestamp',
  anvil_mine: 'hardhat_mine',
  anvil_setBalance: 'hardhat_setBalance',
  anvil_setCode: 'hardhat_setCode',
  anvil_impersonateAccount: 'hardhat_impersonateAccount',
  anvil_stopImpersonatingAccount: 'hardhat_stopImpersonatingAccount',
};

// solc-js from node_modules instead of a download from binaries.soliditylang.org.
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD).setAction(async ({ solcVersion }, _hre, runSuper) => {
  if (solcVersion !== SOLC_VERSION) return runSuper();
  const solcDir = path.dirname(require.resolve('solc/package.json', { paths: [ROOT] }));
  const solc = require(path.join(solcDir, 'index.js'));
  return {
    compilerPath: path.join(solcDir, 'soljson.js'),
    isSolcJs: true,
    version: solcVersion,
    longVersion: solc.version().replace('.Emscripten.clang', ''),
  };
});

// Skip hidden folders (contracts/.cache is where ape unpacks its dependencies).
subtask(TASK_COMPILE_SOLIDITY_GET_SOURCE_PATHS).setAction(async (args, _hre, runSuper) => {
  const paths = await runSuper(args);
  return paths.filter((p) => !path.relative(ROOT, p).split(path.sep).some((part) => part.startsWith('.')));
});

// Instrumentation hashes are numbered across all files, so a file Hardhat's cache would not
// recompile (its source unchanged) would keep stale hashes: start each coverage run from scratch.
task('coverage').setAction(async (args, _hre, runSuper) => {
  for (const dir of ['artifacts', 'cache', 'contracts', 'report']) fs.rmSync(path.join(OUT, dir), { recursive: true, force: true });
  return runSuper(args);
});

// Instrumented artifacts in thekey's build layout (build/<x>/index.json + artifacts/<source>/<Name>.json).
async function writeThekeyBuild(hre, folder) {
  fs.rmSync(folder, { recursive: true, force: true });
  const contracts = {};
  for (const fq of await hre.artifacts.getAllFullyQualifiedNames()) {
    const a = await hre.artifacts.readArtifact(fq);
    (contracts[a.contractName] = contracts[a.contractName] || []).push(`${a.sourceName}:${a.contractName}`);
    const file = path.join(folder, 'artifacts', a.sourceName, `${a.contractName}.json`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({
      contractName: a.contractName, sourceName: a.sourceName, abi: a.abi,
      bytecode: a.bytecode, deployedBytecode: a.deployedBytecode, linkReferences: a.linkReferences,
      solcVersion: SOLC_VERSION, instrumented: true,
    }));
  }
  fs.writeFileSync(path.join(folder, 'index.json'), JSON.stringify({ solcVersion: SOLC_VERSION, contracts }, null, 1));
}

function aliasing(provider) {
  return {
    request: ({ method, params }) => provider.request({ method: RPC_ALIASES[method] || method, params }),
    addListener: (...a) => provider.addListener(...a),
    removeListener: (...a) => provider.removeListener(...a),
  };
}

// The `test` task that solidity-coverage runs once the instrumented chain is ready: pytest.
task(TASK_TEST, 'Runs the pytest suite against the instrumented chain').setAction(async (_args, hre) => {
  const build = path.join(OUT, 'contracts');
  await writeThekeyBuild(hre, build);
  const server = await hre.run(TASK_NODE_CREATE_SERVER, {
    hostname: '127.0.0.1', port: 0, provider: aliasing(hre.network.provider),
  });
  const { address, port } = await server.listen();
  const url = `http://${address}:${port}`;
  const tests = process.env.SOL_COVERAGE_TESTS ? process.env.SOL_COVERAGE_TESTS.split(/\s+/).filter(Boolean) : DEFAULT_TESTS;
  // one process: the xdist workers would share one chain (-n 0 also overrides an -n in addopts)
  const args = [...tests, '-q', '-n', '0', '-p', 'no:cacheprovider', '-p', 'scripts.sol_coverage'];
  console.log(`\n> pytest ${args.join(' ')}  (chain ${url}, build ${path.relative(ROOT, build)})\n`);
  const code = await new Promise((resolve) => {
    const child = spawn(path.join(ROOT, '.venv', 'bin', 'pytest'), args, {
      cwd: ROOT, stdio: 'inherit',
      env: { ...process.env, THEKEY_SOLCOV_RPC_URL: url, THEKEY_SOLCOV_BUILD: build },
    });
    child.on('exit', (c, signal) => resolve(c === null ? 128 : c));
  });
  await server.close();
  // pytest exit codes: 0 all passed, 1 some failed; report coverage either way, fail the run on 1.
  return code === 0 ? 0 : 1;
});

// After istanbul: keep solidity-coverage's coverage.json (always written to the project root)
// under build/, and print + save a per-contract Markdown table (statements and branches).
async function summarise() {
  const moved = path.join(OUT, 'coverage.json');
  if (fs.existsSync(path.join(ROOT, 'coverage.json'))) fs.renameSync(path.join(ROOT, 'coverage.json'), moved);
  const summary = JSON.parse(fs.readFileSync(path.join(OUT, 'report', 'coverage-summary.json'), 'utf8'));
  const cell = (m) => `${m.pct.toFixed(1)}% (${m.covered}/${m.total})`;
  const rows = ['| Contract | Statements | Branches | Functions | Lines |', '|---|---|---|---|---|'];
  for (const [file, m] of Object.entries(summary).sort()) {
    if (file === 'total') continue;
    rows.push(`| \`${file}\` | ${cell(m.statements)} | ${cell(m.branches)} | ${cell(m.functions)} | ${cell(m.lines)} |`);
  }
  const t = summary.total;
  rows.push(`| **all** | ${cell(t.statements)} | ${cell(t.branches)} | ${cell(t.functions)} | ${cell(t.lines)} |`);
  const table = rows.join('\n') + '\n';
  fs.writeFileSync(path.join(OUT, 'summary.md'), table);
  console.log(`\n${table}\nReports: ${path.relative(ROOT, path.join(OUT, 'report'))}/ (lcov-report/index.html, lcov.info), ` +
    `${path.relative(ROOT, path.join(OUT, 'summary.md'))}, ${path.relative(ROOT, moved)}`);
}

module.exports = {
  // ---- Hardhat ----
  solidity: {
    version: SOLC_VERSION,
    settings: { evmVersion: 'cancun', optimizer: { enabled: false, runs: 200 } },
  },
  paths: {
    root: ROOT,
    sources: path.join(ROOT, 'contracts'),
    artifacts: path.join(OUT, 'artifacts'),
    cache: path.join(OUT, 'cache'),
    tests: path.join(ROOT, 'tests'),
  },
  networks: { hardhat: { hardfork: 'cancun', chainId: 31337, accounts: { count: 20 } } },
  // ---- solidity-coverage (.solcover.js) ----
  skipFiles: ['interfaces/', 'test/'],
  istanbulFolder: path.join(OUT, 'report'),
  istanbulReporter: ['text', 'text-summary', 'json-summary', 'lcov'],
  onIstanbulComplete: summarise,
};
