'use strict';
// The App API: loading, errors, templates, diagrams, the code archive — and whatever JavaScript
// passes, an exception, never a crash.
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { test } = require('node:test');
const pareto = require('..');
const { EXAMPLE, NATIVE, PYTHON, VECTORS } = require('./support');

test('the example app synthesizes to the native command\'s bytes', () => {
  const app = pareto.App.load(EXAMPLE);
  assert.equal(app.name, 'hello');
  assert.equal(app.valid, true);
  assert.equal(app.synth().Resources.HelloGetFunction.Type, 'AWS::Lambda::Function');
  const native = spawnSync(NATIVE, ['synth', EXAMPLE]);
  assert.equal(native.status, 0, String(native.stderr));
  assert.ok(Buffer.from(app.templateJson()).equals(native.stdout));
  assert.match(pareto.version, /^\d+\.\d+\.\d+$/);
});

test('every error at once, with where it is', () => {
  const app = pareto.App.fromText('app: Demo\nactions: [{name: a, size: huge}]\nbogus: 1\n', { sourceName: 'pareto.yaml' });
  assert.equal(app.valid, false);
  assert.deepEqual(app.errors.map((e) => [e.path, e.check, e.line]),
    [['/app', 'E2005', 1], ['/actions/0/size', 'E2002', 2], ['/bogus', 'E2003', 3]]);
  assert.throws(() => app.validate(), (error) => {
    assert.ok(error instanceof pareto.ValidationError && error instanceof pareto.ParetoError);
    assert.equal(error.errors.length, 3);
    assert.match(error.message, /^pareto\.yaml:1:1: \/app: /);
    return true;
  });
  assert.throws(() => app.synth(), pareto.ValidationError);
  assert.throws(() => app.graph(), pareto.ValidationError);
});

test('objects are app descriptions too', () => {
  const app = pareto.App.fromObject({ app: 'x', tables: [{ name: 'users' }] });
  assert.equal(app.synth().Resources.UsersTable.Type, 'AWS::DynamoDB::Table');
  assert.deepEqual(pareto.App.fromObject({ app: 'x', tables: 'no' }).errors[0].path, '/tables');
});

test('what JavaScript may pass is an error, never a crash', () => {
  assert.throws(() => pareto.App.load(42), TypeError);
  assert.throws(() => pareto.App.load(path.join(os.tmpdir(), 'no-such-app')), { code: 'ENOENT' });
  assert.throws(() => pareto.App.fromText(null), TypeError);
  assert.throws(() => pareto.App.fromText('app: \ud800'), TypeError);
  assert.throws(() => pareto.App.fromText('app: x', { baseDir: 7 }), TypeError);
  assert.throws(() => pareto.App.fromObject([]), TypeError);
  assert.throws(() => pareto.App.fromObject({ app: 1n }), TypeError);
  const cyclic = { app: 'x' };
  cyclic.self = cyclic;
  assert.throws(() => pareto.App.fromObject(cyclic), TypeError);
  assert.equal(pareto.App.fromText('\0\0\0').valid, false);
  assert.equal(pareto.App.fromText('a: '.repeat(1e6)).valid, false);
  assert.equal(pareto.App.fromText(`${'['.repeat(100000)}`).errors[0].check, 'E1003');
  const app = pareto.App.fromText('app: x');
  assert.throws(() => app.graph('svg'), TypeError);
  assert.throws(() => app.rules(5), TypeError);
  assert.throws(() => app.package('a'), TypeError);  // not loaded from a folder
});

test('each function\'s archive is the bytes Python uploads', () => {
  const app = pareto.App.load(EXAMPLE);
  for (const { action } of app.functions) {
    const archive = app.package(action);
    assert.equal(archive.data.subarray(0, 4).toString('latin1'), 'PK\x03\x04');
    const python = spawnSync(PYTHON, ['-c', [
      'import sys, pareto',
      'sys.stdout.buffer.write(pareto.App.load(sys.argv[1]).package(sys.argv[2]))'].join('\n'), EXAMPLE, action]);
    assert.equal(python.status, 0, `${PYTHON}: ${python.stderr}`);
    assert.ok(archive.data.equals(python.stdout), `the zip bytes of ${action} differ from Python's`);
  }
  assert.throws(() => app.package('nothing'), /has no action or builder "nothing"/);
});

test('diagrams and deployed rules', () => {
  const app = pareto.App.load(path.join(VECTORS, 'events', 'bucket-and-custom'));
  assert.match(app.graph(), /^flowchart LR/);
  assert.match(app.graph('dot'), /^digraph/);
  const { rules } = app.rules('prod');
  assert.ok(Object.keys(rules).length >= 2);
});

test('ES module and CommonJS entries export the same API', async () => {
  const esm = await import('../lib/index.mjs');
  assert.equal(esm.App, pareto.App);
  assert.equal(esm.default, pareto);
  assert.equal(esm.version, pareto.version);
  const types = fs.readFileSync(path.join(__dirname, '..', 'lib', 'index.d.ts'), 'utf8');
  for (const name of Object.keys(pareto)) assert.match(types, new RegExp(`\\b${name}\\b`), name);
});
