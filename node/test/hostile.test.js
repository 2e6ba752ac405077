'use strict';
// Hostile calls through the Node binding: every public function, given values of the wrong type
// or shape (undefined, null, numbers, huge strings, lone surrogates, buffers, cyclic objects,
// arbitrary nesting), returns or throws one of the documented errors, and never takes the
// process down. fast-check drives it; python/tests/test_hostile.py does the same with Hypothesis.
const assert = require('node:assert/strict');
const { test } = require('node:test');
const fc = require('fast-check');
const pareto = require('..');
const { EXAMPLE } = require('./support');

// What the API documents throwing: ParetoError (ValidationError, CommandError, KindError are
// ParetoErrors), TypeError and RangeError for arguments of the wrong kind, and a file system
// error (with its code) for a path that is not there.
function documented(error) {
  return error instanceof pareto.ParetoError || error instanceof TypeError
    || error instanceof RangeError || (error instanceof Error && typeof error.code === 'string');
}

const cyclicObject = () => { const value = { app: 'x' }; value.self = value; return value; };
const cyclicArray = () => { const value = []; value.push(value); return value; };
const special = fc.constantFrom(undefined, null, true, 0, -1, 2 ** 64, 1e308, NaN, Infinity, 10n, '',
  '\0', 'x'.repeat(1_000_000), '\ud800', Buffer.from([0xff, 0xfe, 0xfd]), new Uint8Array(0), Symbol('s'),
  () => {}, [], {}, new Map(), new Date(0), /re/);
const hostile = fc.oneof(special, fc.constant(null).map(cyclicObject), fc.constant(null).map(cyclicArray),
  fc.jsonValue({ maxDepth: 3 }), fc.anything({ maxDepth: 2 }), fc.string({ unit: 'binary' }));

const example = pareto.App.load(EXAMPLE);
// A stage that cannot be valid (undefined means dev).
const notAStage = (value) => !/^[a-z][a-z0-9]{0,15}$/.test(typeof value === 'string' ? value : value === undefined ? 'dev' : '-');
const CALLS = {
  'App.load': (v) => pareto.App.load(v),
  'App.load(options)': (v) => pareto.App.load(EXAMPLE, v),
  'App.fromText': (v) => pareto.App.fromText(v),
  'App.fromText(options)': (v) => pareto.App.fromText('app: x', v),
  'App.fromText(sourceName)': (v) => pareto.App.fromText('app: x', { sourceName: v }),
  'App.fromText(stage)': (v) => pareto.App.fromText('app: x', { stage: v }),
  'App.fromText(kinds)': (v) => pareto.App.fromText('app: x', { kinds: v }),
  'App.fromObject': (v) => pareto.App.fromObject(v),
  'App.fromObject(nested)': (v) => pareto.App.fromObject({ app: 'x', actions: v }),
  'App#package': (v) => example.package(v),
  'App#package(dependencies)': (v) => example.package('hello-get', v),
  'App#graph': (v) => example.graph(v),
  'App#budget': (v) => example.budget(v),
  'App#rules': (v) => example.rules(v),
  'compile': (v) => pareto.compile(v),
  'match(pattern)': (v) => pareto.match(v, {}),
  'match(event)': (v) => pareto.match({ a: [1] }, v),
  'Rules': (v) => new pareto.Rules(v),
  'Rules#match': (v) => new pareto.Rules({ r: { a: [1] } }).match(v),
  'formatError': (v) => pareto.formatError(v),
  'Kind': (v) => new pareto.Kind(v),
  'kindsInModule': (v) => pareto.kindsInModule(v),
};
// A valid stage would reach for AWS: those values are left out, and the endpoint is loopback.
const ASYNC = {
  'App#outputs(stage)': (v) => (notAStage(v) ? example.outputs({ stage: v, endpoint: 'http://127.0.0.1:1' }) : null),
};

for (const [name, call] of Object.entries(CALLS)) {
  test(`a hostile argument to ${name} throws a documented error`, () => {
    fc.assert(fc.property(hostile, (value) => {
      try {
        call(value);
      } catch (error) {
        assert.ok(documented(error), `${name}(${fc.stringify(value).slice(0, 80)}) threw ${error?.stack ?? fc.stringify(error)}`);
      }
    }), { numRuns: 60 });
  });
}

for (const [name, call] of Object.entries(ASYNC)) {
  test(`a hostile argument to ${name} rejects with a documented error`, async () => {
    await fc.assert(fc.asyncProperty(hostile, async (value) => {
      try {
        await call(value);
      } catch (error) {
        assert.ok(documented(error), `${name}(${fc.stringify(value).slice(0, 80)}) threw ${error?.stack ?? fc.stringify(error)}`);
      }
    }), { numRuns: 60 });
  });
}
