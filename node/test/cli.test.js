'use strict';
// `pareto` from Node: the same exit statuses and bytes as the native and Python commands.
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { test } = require('node:test');
const { COMMAND, EXAMPLE, NATIVE, VECTORS } = require('./support');

const run = (...args) => spawnSync(process.execPath, [COMMAND, ...args], { encoding: 'buffer' });

test('validate: 0 and a line when valid; 1 and every error when not', () => {
  const ok = run('validate', EXAMPLE);
  assert.equal(ok.status, 0);
  assert.equal(String(ok.stdout), 'hello: valid\n');
  const bad = run('validate', path.join(VECTORS, 'errors', 'many-at-once'));
  assert.equal(bad.status, 1);
  const lines = String(bad.stderr).trim().split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[0], /pareto\.yaml:1:1: \/app: .* \[E2005\]$/);
  const json = run('validate', '--json', path.join(VECTORS, 'errors', 'many-at-once'));
  assert.equal(json.status, 1);
  assert.equal(JSON.parse(json.stdout).length, 4);
});

test('synth, graph and budget print what the native command prints', () => {
  for (const args of [['synth', EXAMPLE], ['graph', EXAMPLE], ['graph', '--format', 'dot', EXAMPLE],
    ['budget', EXAMPLE], ['budget', '--json', EXAMPLE]]) {
    const ours = run(...args);
    const native = spawnSync(NATIVE, args);
    assert.equal(ours.status, 0, String(ours.stderr));
    assert.ok(ours.stdout.equals(native.stdout), args.join(' '));
  }
});

test('package writes the archive, atomically, where asked', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pareto-node-'));
  const output = path.join(dir, 'code.zip');
  const done = run('package', EXAMPLE, '-o', output);
  assert.equal(done.status, 0, String(done.stderr));
  assert.match(String(done.stdout), /code\.zip: [\d,]+ bytes, sha256 [0-9a-f]{64}/);
  assert.equal(fs.readFileSync(output).subarray(0, 2).toString(), 'PK');
  assert.deepEqual(fs.readdirSync(dir), ['code.zip']);
  fs.rmSync(dir, { recursive: true });
});

test('match: 0 on a match, 1 without, 2 for bad input; --rules reads the app', () => {
  assert.equal(run('match', '{"source": ["a"]}', '{"source": "a"}').status, 0);
  assert.equal(run('match', '{"source": ["a"]}', '{"source": "b"}').status, 1);
  assert.equal(run('match', '{"source": "a"}', '{}').status, 1);  // an invalid pattern: its errors
  assert.equal(run('match', '{nope', '{}').status, 2);
  const event = JSON.stringify({ source: 'my.deployer' });
  const fired = run('match', '--rules', path.join(VECTORS, 'events', 'bucket-and-custom'), event);
  assert.equal(fired.status, 0, String(fired.stderr));
  assert.match(String(fired.stdout), /IngestDeploysRule/);
});

test('usage errors exit 2 with a message, never a stack trace', () => {
  for (const args of [['bogus'], ['synth', '/no/such/app'], ['graph', '--format', 'svg', EXAMPLE], ['match', '{}']]) {
    const done = run(...args);
    assert.equal(done.status, 2, args.join(' '));
    assert.doesNotMatch(String(done.stderr), /\n\s+at /);
  }
});
