'use strict';
// A smoke run of every call of the Node package's native module, for valgrind: the same as
// smoke.py, so that a leak through the binding shows as lost blocks with pareto's frames.
const assert = require('node:assert/strict');
const path = require('node:path');
const pareto = require(path.join(__dirname, '..', '..', 'node'));

const ROOT = path.join(__dirname, '..', '..');
const [big, rounds] = process.argv.slice(2);  // an app past one stack's quotas, and how often
for (let i = 0; i < Number(rounds); i++) {
  const app = pareto.App.load(path.join(ROOT, 'examples', 'hello'));
  app.templateJson();
  app.package('hello-get');
  app.graph('dot');
  app.budget('text');
  app.rules('dev');
  assert.deepEqual(app.nestedStacks(), []);
  assert.ok(pareto.App.load(big).nestedStacks().length);
  // Custom kinds: the renderer callbacks held and released by the native set of kinds.
  assert.ok(pareto.App.load(path.join(ROOT, 'examples', 'streams')).templateJson());
  const failing = { key: 'things', schema: {}, render: () => { throw new Error('no'); } };
  assert.ok(!pareto.App.fromText('app: x\nthings: [{name: a}]\n', { kinds: [failing] }).valid);
  assert.throws(() => pareto.App.fromText('app: x\n', { kinds: [{ key: 'tables', schema: {}, render: () => ({}) }] }));
  const bad = pareto.App.fromText('app: 1\nactions: [{name: X}]\n');
  assert.ok(!bad.valid && bad.errors.length);
  for (const text of ['{', '\0', 'a: &a [*a]']) assert.ok(!pareto.App.fromText(text).valid);
  const rules = new pareto.Rules({ uploads: { source: ['aws.s3'] } });
  assert.deepEqual(rules.match({ source: 'aws.s3' }), ['uploads']);
  assert.throws(() => new pareto.Rules({ bad: { source: 'not a list' } }));
}
console.log('smoke: ok');
