#!/usr/bin/env node
// `npm install`'s build. Where the tarball's prebuilt module (prebuilds/<platform>-<arch>) loads,
// there is nothing to do. Otherwise cmake-js compiles the core and its Node-API module into
// build/Release/_pareto.node, from the sources the tarball carries (core/) or, in a checkout,
// from the repository's. Node's headers come from the Node that runs this (nothing is
// downloaded); the build needs CMake, a C++ compiler and SWIG 4.2 or newer on PATH.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const prebuilt = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, '_pareto.node');
if (fs.existsSync(prebuilt) && !process.env.PARETO_BUILD_FROM_SOURCE) {
  const probe = spawnSync(process.execPath, ['-e', `process.dlopen({ exports: {} }, ${JSON.stringify(prebuilt)})`]);
  if (probe.status === 0) process.exit(0);
  console.error(`pareto: the prebuilt module does not load here, so it is built from source:\n${probe.stderr}`);
}

// A folder install (`npm install /path/to/node`) links this folder into the project without
// installing its dependencies: they are the folder's own, from `npm ci` there.
const resolve = (request) => {
  try {
    return require.resolve(request, { paths: [root] });
  } catch {
    console.error(`pareto: the build needs ${request.split('/')[0]}, which is not installed: run \`npm ci\` ` +
                  `in ${root} first (npm links a folder without installing its dependencies)`);
    process.exit(1);
  }
};
const nodeDir = path.resolve(process.execPath, '..', '..');
const env = { ...process.env };
if (!env.npm_config_nodedir && fs.existsSync(path.join(nodeDir, 'include', 'node', 'node_api.h'))) {
  env.npm_config_nodedir = nodeDir;
}
const options = {
  PARETO_BUILD_NODE: 'ON', PARETO_BUILD_PYTHON: 'OFF', PARETO_BUILD_TESTS: 'OFF',
  PARETO_BUILD_BENCHMARKS: 'OFF', PARETO_BUILD_CLI: 'OFF', PARETO_INSTALL: 'OFF',
  PARETO_WARNINGS_AS_ERRORS: 'OFF',
  NODE_ADDON_API_DIR: path.dirname(resolve('node-addon-api/package.json')),
};
const sources = fs.existsSync(path.join(root, 'core', 'CMakeLists.txt')) ? path.join(root, 'core') : path.join(root, '..');
const args = [resolve('cmake-js/bin/cmake-js'), 'compile', '--directory', sources,
  '--out', path.join(root, 'build'), '--config', 'Release', '--target', 'pareto_node',
  ...Object.entries(options).map(([key, value]) => `--CD${key}=${value}`)];
const done = spawnSync(process.execPath, args, { stdio: 'inherit', env });
process.exit(done.status ?? 1);
