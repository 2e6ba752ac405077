'use strict';
// The engine's transcript vectors (tests/vectors/flows/), replayed through the Node host: the
// SDK's real clients serialize each request, and a middleware after serialization answers it
// with the recorded answer in place of the network. The steps, the output and the exit status
// must be the recorded ones, as in the C++ and Python suites.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');
const { Host } = require('../lib/host');
const { ROOT, VECTORS } = require('./support');

const FLOWS = path.join(VECTORS, 'flows');
const CASES = fs.readdirSync(FLOWS).filter((name) => fs.existsSync(path.join(FLOWS, name, 'transcript.json'))).sort();

/** The Node host with the recording in place of AWS. */
class Replay extends Host {
  constructor(steps) {
    super({ interactive: false, write: (stream, text) => { this.output[stream] += text; } });
    this.steps = [...steps];
    this.output = { stdout: '', stderr: '' };
    this.recorded = null;  // the answer the next call's client gives
  }

  async perform(step, flow) {
    if (step.step === 'write') return super.perform(step, flow);
    assert.ok(this.steps.length, `a step past the recording: ${JSON.stringify(step)}`);
    const { step: expected, answer } = this.steps.shift();
    assert.deepEqual(step, expected);
    if (answer?.interrupted) {  // Ctrl-C, as the host meets it
      this.interrupt();
      throw new DOMException('interrupted', 'AbortError');
    }
    if (step.step === 'load') return super.perform(step, flow);
    if (step.step === 'connect' && !answer.error) {
      await super.perform(step, flow);
      return answer;
    }
    if (step.step === 'call' && answer.error?.status !== 0) {
      this.recorded = answer;
      return super.perform(step, flow);
    }
    return answer;  // no HTTP answer came, or a step that reaches no AWS
  }

  client(service) {
    const fresh = !this.clients.has(service);
    const client = super.client(service);
    if (fresh) client.middlewareStack.add(() => async () => this.answer(), { step: 'build', name: 'replay' });
    return client;
  }

  /** The recorded answer, as the SDK would give it. */
  answer() {
    const { response, error } = this.recorded;
    if (error) throw Object.assign(new Error(error.message), { name: error.code, $metadata: { httpStatusCode: error.status } });
    return { output: { $metadata: { httpStatusCode: 200 }, ...response }, response: {} };
  }
}

for (const name of CASES) {
  test(name, async () => {
    const transcript = JSON.parse(fs.readFileSync(path.join(FLOWS, name, 'transcript.json'), 'utf8'));
    process.chdir(ROOT);  // the recorded paths are the repository's
    for (const variable of ['AWS_PROFILE', 'PARETO_ENDPOINT_URL', 'PARETO_PASSWORD']) delete process.env[variable];
    const host = new Replay(transcript.steps);
    const [exit] = await host.runRequest(transcript.request);
    assert.deepEqual(host.steps, [], 'the flow ended before the recording');
    assert.equal(host.output.stdout, fs.readFileSync(path.join(FLOWS, name, 'stdout'), 'utf8'));
    assert.equal(host.output.stderr, fs.readFileSync(path.join(FLOWS, name, 'stderr'), 'utf8'));
    assert.equal(exit, transcript.exit);
  });
}
