'use strict';
const { spawn } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
// The Python the test command installed the package into: zips are compared with its.
const PYTHON = process.env.PARETO_PYTHON || path.join(ROOT, '.venv', 'bin', 'python');

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    }).on('error', reject);
  });
}

function listening(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => { socket.end(); resolve(true); })
      .on('error', () => resolve(false));
  });
}

/** moto's server as the hosts start it, on a free 127.0.0.1 port: {server, endpoint, stop()}. */
async function startMoto() {
  const port = await freePort();
  const server = spawn(PYTHON, ['-m', 'pareto.moto_server', '-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const deadline = Date.now() + 30000;
  while (!(await listening(port))) {
    if (Date.now() > deadline || server.exitCode !== null) throw new Error(`moto's server did not start on ${port}`);
    await new Promise((resolve) => { setTimeout(resolve, 50); });
  }
  return { server, endpoint: `http://127.0.0.1:${port}`, stop: () => server.kill() };
}

module.exports = {
  PYTHON,
  freePort,
  startMoto,
  ROOT,
  EXAMPLE: path.join(ROOT, 'examples', 'hello'),
  VECTORS: path.join(ROOT, 'tests', 'vectors'),
  NATIVE: path.join(ROOT, 'build', 'libpareto', 'src', 'cli', 'pareto'),
  COMMAND: path.join(ROOT, 'node', 'bin', 'pareto.js'),
};
