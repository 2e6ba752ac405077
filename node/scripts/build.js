#!/usr/bin/env node
// `npm install`'s build: the core and its Node-API module, compiled by cmake-js from the
// repository's CMakeLists.txt into node/build/Release/_pareto.node. Node's headers come from the
// Node that runs this (nothing is downloaded); SWIG 4.2 or newer must be on PATH.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const nodeDir = path.resolve(process.execPath, '..', '..');
const env = { ...process.env };
if (!env.npm_config_nodedir && fs.existsSync(path.join(nodeDir, 'include', 'node', 'node_api.h'))) {
  env.npm_config_nodedir = nodeDir;
}
const options = {
  PARETO_BUILD_NODE: 'ON', PARETO_BUILD_PYTHON: 'OFF', PARETO_BUILD_TESTS: 'OFF',
  PARETO_BUILD_BENCHMARKS: 'OFF', PARETO_BUILD_CLI: 'OFF', PARETO_INSTALL: 'OFF',
  PARETO_WARNINGS_AS_ERRORS: 'OFF',
  NODE_ADDON_API_DIR: path.dirname(require.resolve('node-addon-api/package.json')),
};
const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
const args = [cmakeJs, 'compile', '--directory', path.resolve(__dirname, '..', '..'),
  '--out', path.resolve(__dirname, '..', 'build'), '--config', 'Release', '--target', 'pareto_node',
  ...Object.entries(options).map(([key, value]) => `--CD${key}=${value}`)];
const done = spawnSync(process.execPath, args, { stdio: 'inherit', env });
process.exit(done.status ?? 1);
