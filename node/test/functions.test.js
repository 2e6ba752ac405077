'use strict';
// Real functions from the Node host: npm and pip from the real registries, the same archive
// bytes as Python's host builds, and a cached build that starts no process.
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { test } = require('node:test');
const pareto = require('..');
const { Host, command } = require('../lib/host');
const { PYTHON } = require('./support');

const LOCK = {  // npm install --package-lock-only for {"ms": "2.1.3"}
  name: 'greet', version: '1.0.0', lockfileVersion: 3, requires: true,
  packages: {
    '': { name: 'greet', version: '1.0.0', dependencies: { ms: '2.1.3' } },
    'node_modules/ms': {
      version: '2.1.3',
      resolved: 'https://registry.npmjs.org/ms/-/ms-2.1.3.tgz',
      integrity: 'sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==',
      license: 'MIT',
    },
  },
};

function write(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

function makeApp(dir) {
  write(path.join(dir, 'pareto.yaml'), 'app: deps\nshared: [lib]\nactions:\n  - name: fetch\n  - name: greet\n    runtime: nodejs\n');
  write(path.join(dir, 'fetch', 'index.py'), 'import idna\n\n\ndef handler(event, context):\n    return idna.encode("ドメイン.テスト").decode()\n');
  write(path.join(dir, 'fetch', 'requirements.txt'), 'idna==3.10\n');
  write(path.join(dir, 'greet', 'index.js'), "const ms = require('ms');\nconst helpers = require('lib/helpers.js');\nexports.handler = async () => ({ ms: ms('1m'), shared: helpers.shared });\n");
  write(path.join(dir, 'greet', 'package.json'), JSON.stringify({ name: 'greet', version: '1.0.0', private: true, dependencies: { ms: '2.1.3' } }));
  write(path.join(dir, 'greet', 'package-lock.json'), JSON.stringify(LOCK, null, 2));
  write(path.join(dir, 'lib', 'helpers.js'), 'module.exports = { shared: true };\n');
  return dir;
}

test('dependencies install for Lambda, once, with the bytes Python builds', async () => {
  const dir = makeApp(fs.mkdtempSync(path.join(os.tmpdir(), 'pareto-functions-')));
  const app = pareto.App.load(dir);
  const started = [];
  const process_ = Host.prototype.process;
  Host.prototype.process = function counted(step) {
    started.push(step.argv);
    return process_.call(this, step);
  };
  const said = [];
  try {
    await command(app, ['package', dir, '-o', path.join(dir, 'node')], (stream, text) => said.push(text));
    assert.ok(started.some((argv) => argv.includes('install')), 'pip ran');
    assert.ok(started.some((argv) => argv.includes('ci')), 'npm ran');
    started.length = 0;
    await command(app, ['package', dir, '-o', path.join(dir, 'again')], (stream, text) => said.push(text));
    // npm's version is read beside node; pip's asked once of the Python this host runs.
    assert.deepEqual(started.filter((argv) => argv.includes('install') || argv.includes('ci')), []);
  } finally {
    Host.prototype.process = process_;
  }
  const python = spawnSync(PYTHON, ['-m', 'pareto', 'package', dir, '-o', path.join(dir, 'python')], { encoding: 'utf8' });
  assert.equal(python.status, 0, python.stderr);
  for (const name of ['fetch', 'greet']) {
    const ours = fs.readFileSync(path.join(dir, 'node', 'actions', `${name}.zip`));
    assert.ok(ours.equals(fs.readFileSync(path.join(dir, 'again', 'actions', `${name}.zip`))), `${name}: another run, other bytes`);
    assert.ok(ours.equals(fs.readFileSync(path.join(dir, 'python', 'actions', `${name}.zip`))), `${name}: Python's bytes differ`);
  }

  // The Node handler runs from its extracted archive, as Lambda runs it (NODE_PATH ends with
  // /var/task), with nothing of this checkout to resolve from.
  const task = path.join(dir, 'task');
  fs.mkdirSync(task);
  const unzip = spawnSync(PYTHON, ['-m', 'zipfile', '-e', path.join(dir, 'node', 'actions', 'greet.zip'), task]);
  assert.equal(unzip.status, 0, String(unzip.stderr));
  const ran = spawnSync(process.execPath, ['-e', "require(process.argv[1] + '/index.js').handler().then((r) => console.log(JSON.stringify(r)))", task],
    { cwd: task, env: { PATH: process.env.PATH, NODE_PATH: `/opt/nodejs/node_modules:${task}` }, encoding: 'utf8' });
  assert.equal(ran.status, 0, ran.stderr);
  assert.deepEqual(JSON.parse(ran.stdout), { ms: 60000, shared: true });
  fs.rmSync(dir, { recursive: true });
});
