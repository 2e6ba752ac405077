'use strict';
const path = require('node:path');
const { Host, stop } = require('../lib/host');

const ROOT = path.resolve(__dirname, '..', '..');
// The Python the test command installed the package into: zips are compared with its.
const PYTHON = process.env.PARETO_PYTHON || path.join(ROOT, '.venv', 'bin', 'python');

/** moto's server as the hosts start it, on a free 127.0.0.1 port: {server, endpoint, stop()}. */
async function startMoto() {
  const host = new Host();
  const { endpoint, error } = await host.emulator(false);
  if (error) throw new Error(error.message);
  const [server] = host.emulators;
  return { server, endpoint, stop: () => stop(server) };
}

module.exports = {
  PYTHON,
  startMoto,
  ROOT,
  EXAMPLE: path.join(ROOT, 'examples', 'hello'),
  VECTORS: path.join(ROOT, 'tests', 'vectors'),
  NATIVE: path.join(ROOT, 'build', 'libpareto', 'src', 'cli', 'pareto'),
  COMMAND: path.join(ROOT, 'node', 'bin', 'pareto.js'),
};
