#!/usr/bin/env node
// Events matched per second from Node against 1, 100 and 10,000 rules — the rules and events of
// tests/bench/bench_match.cpp and match_report.py, which prints these beside the others.
// Prints {"<rules>": events per second, ...} as JSON.
'use strict';
const { Rules } = require('..');

const SIZES = [1, 100, 10000];

function rules(count) {
  const out = {};
  for (let i = 0; i < count; i += 1) {
    out[`rule-${i}`] = {
      source: [`app.${i}`], 'detail-type': [`Thing ${i % 7}`],
      detail: { size: [{ numeric: ['>', i % 100] }], key: [{ prefix: 'in/' }] },
    };
  }
  return out;
}

function events(count) {
  const out = [];
  for (let e = 0; e < 100; e += 1) {
    const i = (e * 7919) % count;
    out.push(JSON.stringify({ source: `app.${i}`, 'detail-type': `Thing ${i % 7}`,
      detail: { size: e % 2 ? 1000 : -1, key: `in/${e}` } }));
  }
  return out;
}

function perSecond(run, batch, budgetMs = 1000) {
  let done = 0;
  const start = process.hrtime.bigint();
  for (;;) {
    for (const event of batch) run(event);
    done += batch.length;
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    if (elapsed >= budgetMs) return (done * 1000) / elapsed;
  }
}

const rates = {};
for (const size of SIZES) {
  const compiled = new Rules(rules(size));
  rates[size] = perSecond((event) => compiled.match(event), events(size));
}
process.stdout.write(`${JSON.stringify(rates)}\n`);
