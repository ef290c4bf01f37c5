#!/usr/bin/env node
// A native-solc-compatible command line over solc-js (the WebAssembly build from npm).
//
// py-solc-x, ape-solidity and slither (through crytic-compile) expect a native `solc`
// executable. No registry here ships one, so this script answers the forms they use:
//   solc --version
//   solc --standard-json [--base-path P] [--include-path P]... [--allow-paths P,...]   (JSON on stdin)
//   solc [prefix=path ...] FILE... --combined-json abi,bin,... [--allow-paths ...] [--optimize] [--evm-version V]
// Output is clean JSON on stdout (solcjs's own CLI prints a banner first, which breaks parsers).
'use strict';
const fs = require('fs');
const path = require('path');

function loadSolc() {
  // Resolve solc from the project's node_modules first, then from this file's location.
  const roots = [process.env.THEKEY_NODE_MODULES, path.join(process.cwd(), 'node_modules'), __dirname].filter(Boolean);
  for (const root of roots) {
    try { return require(require.resolve('solc', { paths: [root] })); } catch (e) { /* next */ }
  }
  process.stderr.write('solc-js is not installed: run `npm ci` in the project folder\n');
  process.exit(1);
}

function parseArgs(argv) {
  const opts = { files: [], remappings: [], includePaths: [], allowPaths: [], basePath: null,
                 combined: null, standardJson: false, version: false, optimize: false,
                 optimizeRuns: 200, evmVersion: null, viaIR: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (a.includes('=')) return a.slice(a.indexOf('=') + 1);
      return argv[++i];
    };
    if (a === '--version' || a === '-v') opts.version = true;
    else if (a === '--standard-json') opts.standardJson = true;
    else if (a.startsWith('--combined-json')) opts.combined = value().split(',');
    else if (a.startsWith('--base-path')) opts.basePath = value();
    else if (a.startsWith('--include-path')) opts.includePaths.push(value());
    else if (a.startsWith('--allow-paths')) opts.allowPaths.push(...value().split(',').filter(Boolean));
    else if (a === '--optimize') opts.optimize = true;
    else if (a.startsWith('--optimize-runs')) opts.optimizeRuns = parseInt(value(), 10);
    else if (a.startsWith('--evm-version')) opts.evmVersion = value();
    else if (a === '--via-ir') opts.viaIR = true;
    else if (a.startsWith('--')) { /* output-dir, overwrite, no-color, ...: irrelevant to JSON output */ }
    else if (a.includes('=') && !fs.existsSync(a)) opts.remappings.push(a);
    else opts.files.push(a);
  }
  return opts;
}

function makeImportCallback(opts) {
  const roots = [opts.basePath || process.cwd(), ...opts.includePaths, ...opts.allowPaths, process.cwd()];
  return function findImports(unit) {
    const candidates = path.isAbsolute(unit) ? [unit] : roots.map((r) => path.resolve(r, unit));
    for (const c of candidates) {
      try { return { contents: fs.readFileSync(c, 'utf8') }; } catch (e) { /* next */ }
    }
    return { error: `File not found: ${unit} (searched ${roots.join(', ')})` };
  };
}

function compile(solc, input, opts) {
  return JSON.parse(solc.compile(JSON.stringify(input), { import: makeImportCallback(opts) }));
}

function standardJson(solc, opts) {
  const raw = fs.readFileSync(0, 'utf8');
  let input;
  try { input = JSON.parse(raw); } catch (e) {
    process.stdout.write(JSON.stringify({ errors: [{ type: 'JSONError', component: 'general', severity: 'error',
      message: `Input is not valid JSON: ${e.message}`, formattedMessage: `JSONError: ${e.message}` }] }));
    return 0;
  }
  // solc-js has no file system of its own: inline "urls" sources through the import callback.
  const cb = makeImportCallback(opts);
  for (const [name, src] of Object.entries(input.sources || {})) {
    if (src.content === undefined && Array.isArray(src.urls)) {
      for (const u of src.urls) { const r = cb(u); if (r.contents !== undefined) { src.content = r.contents; delete src.urls; break; } }
    }
  }
  process.stdout.write(JSON.stringify(compile(solc, input, opts)));
  return 0;
}

function combinedJson(solc, opts) {
  const sources = {};
  for (const f of opts.files) sources[f] = { content: fs.readFileSync(f, 'utf8') };
  const sel = new Set(opts.combined);
  const evm = [];
  if (sel.has('bin')) evm.push('evm.bytecode.object');
  if (sel.has('bin-runtime')) evm.push('evm.deployedBytecode.object');
  if (sel.has('srcmap')) evm.push('evm.bytecode.sourceMap');
  if (sel.has('srcmap-runtime')) evm.push('evm.deployedBytecode.sourceMap');
  if (sel.has('hashes')) evm.push('evm.methodIdentifiers');
  const outputs = ['abi', 'devdoc', 'userdoc', 'metadata', ...evm];
  const settings = {
    remappings: opts.remappings,
    optimizer: { enabled: opts.optimize, runs: opts.optimizeRuns },
    outputSelection: { '*': { '*': outputs, '': ['ast'] } },
  };
  if (opts.evmVersion) settings.evmVersion = opts.evmVersion;
  if (opts.viaIR) settings.viaIR = true;
  const out = compile(solc, { language: 'Solidity', sources, settings }, opts);
  const errors = (out.errors || []).filter((e) => e.severity === 'error');
  for (const e of out.errors || []) process.stderr.write((e.formattedMessage || e.message) + '\n');
  if (errors.length) return 1;
  const result = { contracts: {}, sources: {}, sourceList: Object.keys(out.sources || {}), version: solc.version() };
  for (const [file, contracts] of Object.entries(out.contracts || {})) {
    for (const [name, c] of Object.entries(contracts)) {
      const r = {};
      if (sel.has('abi')) r.abi = c.abi;
      if (sel.has('bin')) r.bin = c.evm.bytecode.object;
      if (sel.has('bin-runtime')) r['bin-runtime'] = c.evm.deployedBytecode.object;
      if (sel.has('srcmap')) r.srcmap = c.evm.bytecode.sourceMap;
      if (sel.has('srcmap-runtime')) r['srcmap-runtime'] = c.evm.deployedBytecode.sourceMap;
      if (sel.has('userdoc')) r.userdoc = c.userdoc;
      if (sel.has('devdoc')) r.devdoc = c.devdoc;
      if (sel.has('hashes')) r.hashes = c.evm.methodIdentifiers;
      if (sel.has('metadata')) r.metadata = c.metadata;
      result.contracts[`${file}:${name}`] = r;
    }
  }
  for (const [file, s] of Object.entries(out.sources || {})) result.sources[file] = { AST: s.ast, id: s.id };
  process.stdout.write(JSON.stringify(result));
  return 0;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const solc = loadSolc();
  if (opts.version) {
    // Native format: "Version: 0.8.29+commit.ab55807c.Linux.g++"
    const v = solc.version().replace('.Emscripten.clang', '.Linux.g++');
    process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${v}\n`);
    return 0;
  }
  if (opts.standardJson) return standardJson(solc, opts);
  if (opts.combined && opts.files.length) return combinedJson(solc, opts);
  process.stderr.write('usage: solc --version | --standard-json | FILE... --combined-json OUTPUTS\n');
  return 1;
}

process.exitCode = main();
