'use strict';
// The shared vectors of tests/vectors, byte for byte as the C++ and Python suites run them.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');
const { App } = require('..');
const { VECTORS } = require('./support');

const cases = fs.readdirSync(VECTORS, { recursive: true })
  .filter((file) => path.basename(file) === 'pareto.yaml')
  .map((file) => path.join(VECTORS, path.dirname(file)))
  .sort();

const withoutFile = (errors) => errors.map(({ file, ...rest }) => rest);

test('there are cases', () => assert.ok(cases.length >= 40, `${cases.length} cases`));

for (const dir of cases) {
  test(path.relative(VECTORS, dir), () => {
    const app = App.load(dir);
    const template = path.join(dir, 'template.json');
    if (fs.existsSync(template)) {
      assert.deepEqual(app.errors, []);
      assert.ok(Buffer.from(app.templateJson()).equals(fs.readFileSync(template)));
    } else {
      const golden = JSON.parse(fs.readFileSync(path.join(dir, 'errors.json'), 'utf8'));
      assert.deepEqual(withoutFile(app.errors), golden);
    }
  });
}

// template.<stage>.json or errors.<stage>.json: the case as that stage sets it.
for (const dir of cases) {
  for (const file of fs.readdirSync(dir).filter((name) => /^(template|errors)\..+\.json$/.test(name)).sort()) {
    const [kind, stage] = file.split('.');
    test(`${path.relative(VECTORS, dir)} (stage ${stage})`, () => {
      const app = App.load(dir, { stage });
      if (kind === 'template') {
        assert.deepEqual(app.errors, []);
        assert.ok(Buffer.from(app.templateJson()).equals(fs.readFileSync(path.join(dir, file))));
      } else {
        assert.deepEqual(withoutFile(app.errors), JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')));
      }
    });
  }
}

test('text with the case folder as base gives what the path gives', () => {
  for (const dir of cases.slice(0, 3)) {
    const text = fs.readFileSync(path.join(dir, 'pareto.yaml'), 'utf8');
    const fromText = App.fromText(text, { sourceName: 'pareto.yaml', baseDir: dir });
    const fromPath = App.load(dir);
    assert.deepEqual(withoutFile(fromText.errors), withoutFile(fromPath.errors));
    if (fromPath.valid) assert.equal(fromText.templateJson(), fromPath.templateJson());
  }
});
