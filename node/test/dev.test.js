'use strict';
// `pareto dev` from the Node host: the scenario the Python suite runs with its own host
// (tests/support/dev_scenario.py), driving this package's pareto command.
const test = require('node:test');
const assert = require('node:assert');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { COMMAND, PYTHON, ROOT } = require('./support');

const SCENARIO = path.join(ROOT, 'tests', 'support', 'dev_scenario.py');
const PARETO = [process.execPath, COMMAND];

function scenario(...options) {
  const run = spawnSync(PYTHON, [SCENARIO, ...options, '--', ...PARETO], { encoding: 'utf8', timeout: 600000 });
  assert.strictEqual(run.status, 0, run.stdout + run.stderr);
  return run.stdout;
}

test('the app is served and its triggers fire', () => {
  const said = scenario();
  assert.match(said, /POST \/hello → 201/);
  assert.match(said, /Ctrl-C: pareto dev stopped/);
});

test('a failing handler is retried to the errors topic', () => {
  assert.match(scenario('--failing'), /reached the errors topic/);
});

test('table inserts and uploads reach their actions by pattern', () => {
  const said = scenario('--events');
  assert.match(said, /an insert reached audit/);
  assert.match(said, /the upload under in\/ reached onupload/);
});
