'use strict';
// Custom component kinds from Node: the example kind module gives the shared template; kinds
// given to App.load and --kinds; schema, definition, module and renderer errors where they are.
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { test } = require('node:test');
const pareto = require('..');
const { COMMAND, NATIVE, ROOT, VECTORS } = require('./support');

const EXAMPLE = path.join(ROOT, 'examples', 'streams');
const GOLDEN = fs.readFileSync(path.join(VECTORS, 'custom', 'streams', 'template.json'), 'utf8');
const [STREAM] = pareto.kindsInModule(path.join(EXAMPLE, 'kinds', 'stream.js'));

function copyOfExample() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pareto-kinds-'));
  fs.cpSync(EXAMPLE, dir, { recursive: true });
  return dir;
}

function edit(file, from, to) {
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(from, to));
}

const run = (...args) => spawnSync(process.execPath, [COMMAND, ...args], { encoding: 'utf8' });

test('the example kind module gives the shared template', () => {
  const app = pareto.App.load(EXAMPLE);
  assert.deepEqual(app.errors, []);
  assert.equal(app.templateJson(), GOLDEN);
});

test('kinds given to load and fromText; without them the key is unknown', () => {
  const text = fs.readFileSync(path.join(EXAMPLE, 'pareto.yaml'), 'utf8').replace('kinds:\n  - kinds/stream\n', '');
  const app = pareto.App.fromText(text, { baseDir: EXAMPLE, kinds: [STREAM] });
  assert.equal(app.templateJson(), GOLDEN);
  assert.equal(app.synth().Resources.ClicksStream.Type, 'AWS::Kinesis::Stream');
  const plain = pareto.App.fromText(text, { baseDir: EXAMPLE });
  assert.deepEqual(plain.errors.map((e) => [e.path, e.check]), [['/streams', 'E2003']]);
  // A plain object is a kind too.
  const { render, ...definition } = require(path.join(EXAMPLE, 'kinds', 'stream.js'));
  assert.equal(pareto.App.fromText(text, { baseDir: EXAMPLE, kinds: [{ ...definition, render }] }).templateJson(), app.templateJson());
  assert.throws(() => pareto.App.fromText(fs.readFileSync(path.join(EXAMPLE, 'pareto.yaml'), 'utf8')),
    (error) => error instanceof pareto.ValidationError && error.errors[0].path === '/kinds/0');
});

test('entries are checked against the kind\'s schema and references', () => {
  const dir = copyOfExample();
  const yaml = path.join(dir, 'pareto.yaml');
  edit(yaml, 'shards: 2', 'shards: 0');
  assert.deepEqual(pareto.App.load(dir).errors.map((e) => [e.path, e.check, e.message, e.line]),
    [['/streams/0/shards', 'E2006', '0 is out of range 1..64', 21]]);
  edit(yaml, 'shards: 0', 'shards: 2');
  edit(yaml, 'writers: [track]', 'writers: [trak]');
  assert.deepEqual(pareto.App.load(dir).errors.map((e) => [e.path, e.message]),
    [['/streams/0/writers/0', 'no action is named "trak"; did you mean "track"?']]);
});

test('renderer errors name the kind, the component and where', () => {
  const dir = copyOfExample();
  edit(path.join(dir, 'pareto.yaml'), 'readers: [tally]', 'readers: [tally, track]');
  assert.deepEqual(pareto.App.load(dir).errors.map((e) => [e.path, e.check, e.message]), [
    ['/streams/0/readers/1', 'E3010', 'stream "clicks" (custom kind "streams"): action "track" writes to this stream too: it would read its own records back forever']]);

  const text = 'app: x\nstreams: [{name: s}]\n';
  const failing = { key: 'streams', schema: {}, render: (request) => request.entry.missing.field };
  const [error] = pareto.App.fromText(text, { kinds: [failing] }).errors;
  assert.equal(error.check, 'E3011');
  assert.equal(error.path, '/streams/0');
  assert.match(error.message, /^stream "s" \(custom kind "streams"\): the renderer failed: TypeError: Cannot read properties of undefined \(reading 'field'\) \(kinds\.test\.js:\d+\)$/);
  const asynchronous = { key: 'streams', schema: {}, render: async () => ({}) };
  assert.match(pareto.App.fromText(text, { kinds: [asynchronous] }).errors[0].message, /returned a Promise: renderers are synchronous/);
  const misshapen = { key: 'streams', schema: {}, render: () => ({ outputs: { X: {} } }) };
  assert.deepEqual(pareto.App.fromText(text, { kinds: [misshapen] }).errors.map((e) => e.message), [
    'stream "s" (custom kind "streams"): the renderer\'s reply at /outputs/X: missing required key "Value"']);
});

test('definition errors throw KindError with where', () => {
  assert.throws(() => pareto.App.fromText('app: x\n', { kinds: [{ key: 'tables', schema: {}, render: () => ({}) }] }),
    (error) => error instanceof pareto.KindError && error.errors[0].path === '/key' && /is a key of pareto.yaml already/.test(error.message));
  assert.throws(() => pareto.App.fromText('app: x\n', { kinds: [{ key: 'streams', schema: {} }] }), TypeError);
});

test('module errors point at the kinds entry', () => {
  const dir = copyOfExample();
  const module = path.join(dir, 'kinds', 'stream.js');
  fs.writeFileSync(module, "'use strict';\n\nthrow new RangeError('half written');\n");
  assert.throws(() => pareto.App.load(dir), (error) => {
    assert.deepEqual([error.errors[0].path, error.errors[0].check], ['/kinds/0', 'E3012']);
    assert.match(error.errors[0].message, /stream\.js:3: RangeError: half written$/);
    return true;
  });
  fs.writeFileSync(module, 'module.exports = {};\n');
  assert.throws(() => pareto.App.load(dir), /exports no kind/);
  fs.rmSync(module);
  assert.throws(() => pareto.App.load(dir), /no Node module kinds\/stream\.js beside the app/);
});

test('the command loads the kinds the app names, or --kinds gives', () => {
  const synth = run('synth', EXAMPLE);
  assert.equal(synth.status, 0, synth.stderr);
  assert.equal(synth.stdout, GOLDEN);
  const dir = copyOfExample();
  edit(path.join(dir, 'pareto.yaml'), 'kinds:\n  - kinds/stream\n', '');
  assert.equal(run('validate', dir).status, 1);
  const given = run('synth', dir, '--kinds', path.join(dir, 'kinds', 'stream.js'));
  assert.equal(given.status, 0, given.stderr);
  assert.equal(given.stdout, GOLDEN);
  const missing = run('validate', dir, '--kinds', path.join(dir, 'nope.js'));
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /nope\.js/);
  assert.doesNotMatch(missing.stderr, /^\s+at /m);
});

test('the native command says it cannot run kind modules', () => {
  const native = spawnSync(NATIVE, ['synth', EXAMPLE], { encoding: 'utf8' });
  assert.equal(native.status, 1);
  assert.match(native.stderr, /^pareto: .*streams names custom kind modules \(kinds\/stream\): this native command runs no Python or JavaScript/);
  assert.match(native.stderr, /\/streams: unknown key "streams"/);
});
