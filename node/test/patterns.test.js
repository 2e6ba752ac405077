'use strict';
// EventBridge patterns: the shared conformance cases (tests/patterns/cases.json), rule sets and
// hostile arguments.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');
const pareto = require('..');
const { ROOT } = require('./support');

// Integers past 2^53 do not fit a JS number, so they are kept as their digits and the cases go
// to the core as JSON text, as a Node user passes such numbers.
const BIG = /(?<=[:[,]\s*)-?\d{16,}(?=\s*[,\]}])/g;
const cases = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests', 'patterns', 'cases.json'), 'utf8')
  .replace(BIG, (digits) => `"big:${digits}"`));
const text = (value) => JSON.stringify(value).replace(/"big:(-?\d+)"/g, '$1');

for (const c of cases.matching) {
  test(`matches: ${c.name}`, () => {
    const pattern = pareto.compile(text(c.pattern));
    for (const event of c.match) assert.ok(pattern.matches(text(event)), text(event));
    for (const event of c.miss) assert.ok(!pattern.matches(text(event)), text(event));
  });
}

for (const c of cases.invalid) {
  test(`invalid: ${c.name}`, () => {
    assert.throws(() => pareto.compile(text(c.pattern)), (error) => {
      assert.ok(error instanceof pareto.ValidationError);
      assert.equal(error.errors[0].path, c.path);
      assert.ok(error.errors[0].message.includes(c.message), error.errors[0].message);
      return true;
    });
  });
}

test('rule sets say which fire', () => {
  const rules = new pareto.Rules({ s3: { source: ['aws.s3'] }, big: { detail: { size: [{ numeric: ['>', 100] }] } } });
  assert.deepEqual(rules.match({ source: 'aws.s3', detail: { size: 1e3 } }), ['big', 's3']);
  assert.deepEqual(rules.match('{"source": "aws.ec2"}'), []);
});

test('hostile arguments are errors, never crashes', () => {
  assert.throws(() => pareto.compile(undefined), TypeError);
  assert.throws(() => pareto.match({ source: ['a'] }, 42n), TypeError);
  assert.equal(pareto.match({ source: ['a'] }, '[1, 2]'), false);  // an array is no event
  assert.throws(() => pareto.match({ source: ['a'] }, '{nope'), TypeError);
  const cyclic = {};
  cyclic.self = cyclic;
  assert.throws(() => pareto.compile(cyclic), TypeError);
  let deep = {};
  for (let i = 0; i < 5000; i += 1) deep = { a: deep };
  assert.throws(() => pareto.compile(deep), (e) => e instanceof pareto.ValidationError || e instanceof TypeError);
  const nested = `${'{"a":'.repeat(100000)}1${'}'.repeat(100000)}`;
  assert.throws(() => pareto.compile(nested), (e) => e instanceof pareto.ValidationError || e instanceof TypeError);
  const arrays = (n) => `{"b": ${'['.repeat(n)}"x"${']'.repeat(n)}}`;  // event-ruler reads 1,000 levels
  assert.equal(pareto.match({ b: ['x'] }, arrays(999)), true);
  assert.throws(() => pareto.match({ b: ['x'] }, arrays(1000)), /nested deeper than 1,000 levels/);
});
