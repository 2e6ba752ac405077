'use strict';
// The fault matrix, as python/tests/test_faults.py runs it: deploys whose AWS calls pass the
// loopback proxy of tests/support/fault_proxy.py (started here with its rules), which injects
// connection resets, 500s, throttling, slow answers and a killed emulator between the SDK and
// moto's server. Each cell ends in a completed deploy, or in a clear stop that says where the
// stack was left, after which the next deploy completes. Ctrl-C is a real SIGINT to `pareto`.
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const { once } = require('node:events');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { after, before, test } = require('node:test');
const { CloudFormationClient, DescribeStacksCommand, ListStackResourcesCommand } = require('@aws-sdk/client-cloudformation');
const { GetObjectCommand, S3Client } = require('@aws-sdk/client-s3');
const pareto = require('..');
const { COMMAND, PYTHON, ROOT, VECTORS, startMoto } = require('./support');

const PROXY = path.join(ROOT, 'tests', 'support', 'fault_proxy.py');
const RESOURCES = ['ItemsTable', 'JobsQueue', 'JobsQueueDlq', 'JobsQueueMapping', 'WorkerFunction',
  'WorkerFunctionLogGroup', 'WorkerFunctionRole'];
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
let moto;

before(async () => { moto = await startMoto(); });
after(() => moto && moto.stop());

/** The flows app with code of its own, so that each deploy uploads its archive. */
function app(cell) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pareto-node-faults-'));
  fs.cpSync(path.join(VECTORS, 'flows', 'apps', 'v1'), dir, { recursive: true });
  fs.appendFileSync(path.join(dir, 'worker', 'index.py'), `# node ${cell}\n`);
  return dir;
}

/** The proxy in front of `upstream` with `rules`: {url, injected()} once it listens. */
async function proxy(upstream, rules, pid) {
  const child = spawn(PYTHON, [PROXY, upstream, JSON.stringify(rules), ...(pid ? [String(pid)] : [])],
    { stdio: ['pipe', 'pipe', 'pipe'] });
  const [url] = await once(readline.createInterface({ input: child.stdout }), 'line');
  const injected = [];
  const faults = readline.createInterface({ input: child.stderr });
  faults.on('line', (line) => injected.push(JSON.parse(line)));
  return {
    url,
    injected: () => once(faults, 'line'),  // resolves at the next fault
    async stop() {  // what it injected, once it stopped
      child.stdin.end();
      await once(child, 'exit');
      return injected;
    },
  };
}

async function deploy(dir, endpoint, stage) {
  const said = [];
  try {
    await pareto.App.load(dir).deploy({ stage, endpoint, write: (stream, text) => said.push(text) });
    return [0, said.join('')];
  } catch (error) {
    if (!(error instanceof pareto.CommandError)) throw error;
    return [error.exit, said.join('')];
  }
}

/** Each archive in the artifacts bucket is the whole archive: nothing half-uploaded. */
async function uploadedWhole(dir) {
  const s3 = new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, credentials, forcePathStyle: true });
  const app = pareto.App.load(dir);
  for (const { action, key } of app.functions) {
    const { Body } = await s3.send(new GetObjectCommand({ Bucket: 'pareto-artifacts-123456789012-us-east-1', Key: key }));
    assert.deepEqual(Buffer.from(await Body.transformToByteArray()), Buffer.from(app.package(action).data), key);
  }
}

async function deployed(stage, endpoint = moto.endpoint) {
  const cloudformation = new CloudFormationClient({ region: 'us-east-1', endpoint, credentials });
  const { Stacks: [stack] } = await cloudformation.send(new DescribeStacksCommand({ StackName: `flows-${stage}` }));
  assert.match(stack.StackStatus, /^(CREATE|UPDATE)_COMPLETE$/);
  const { StackResourceSummaries: summaries } = await cloudformation.send(new ListStackResourcesCommand({ StackName: `flows-${stage}` }));
  for (const summary of summaries) assert.match(summary.ResourceStatus, /^(CREATE|UPDATE)_COMPLETE$/);
  return summaries.map((s) => s.LogicalResourceId);
}

const RETRIED = [
  ['reset-changeset', [{ operation: 'CreateChangeSet', fault: 'reset' }]],
  ['reset-upload', [{ operation: 'PutObject', fault: 'reset' }]],
  ['error-upload', [{ operation: 'PutObject', fault: '500', times: 2 }]],
  ['error-events', [{ operation: 'DescribeStackEvents', after: 'ExecuteChangeSet', fault: '500', times: 2 }]],
  ['throttle-reads', [{ operation: 'DescribeStacks', fault: 'throttle', times: 3 }]],
  ['throttle-execute', [{ operation: 'ExecuteChangeSet', fault: 'throttle' }]],
  ['slow-events', [{ operation: 'DescribeStackEvents', fault: 'slow', seconds: 1, times: 2 }]],
];

for (const [cell, rules] of RETRIED) {
  test(`a fault is retried and the deploy completes: ${cell}`, async () => {
    const stage = `n${cell.replace(/-/g, '')}`.slice(0, 16);
    const dir = app(cell);
    const faults = await proxy(moto.endpoint, rules);
    const [exit, said] = await deploy(dir, faults.url, stage);
    const injected = await faults.stop();
    assert.equal(exit, 0, said);
    assert.equal(injected.length, rules.reduce((sum, rule) => sum + (rule.times ?? 1), 0));
    if (rules[0].fault !== 'slow') assert.match(said, /retrying in/);
    const resources = await deployed(stage);
    for (const id of RESOURCES) assert.ok(resources.includes(id), id);
    await uploadedWhole(dir);
  });
}

test('retries running out mid-deploy say where the stack was left, and the next deploy goes on', async () => {
  const dir = app('runout');
  const faults = await proxy(moto.endpoint, [{ operation: 'DescribeStackEvents', after: 'ExecuteChangeSet', fault: 'reset', times: 6 }]);
  const [exit, said] = await deploy(dir, faults.url, 'nrunout');
  await faults.stop();
  assert.equal(exit, 1);
  assert.ok(said.includes('(cloudformation DescribeStackEvents: gave up after 6 attempts)\n'), said);
  assert.ok(said.endsWith(`CloudFormation goes on creating flows-nrunout without pareto: \`pareto events ${dir} `
    + '--stage nrunout` shows how it ends, and the next deploy waits for it\n'), said);
  const [again, saidAgain] = await deploy(dir, moto.endpoint, 'nrunout');
  assert.equal(again, 0, saidAgain);
  assert.match(saidAgain, /^no changes$/m);
  const resources = await deployed('nrunout');
  for (const id of RESOURCES) assert.ok(resources.includes(id), id);
});

test('an emulator killed mid-deploy is an explained stop, and a fresh one takes the next deploy', async () => {
  const dir = app('killed');
  const own = await startMoto();
  try {
    const faults = await proxy(own.endpoint, [{ operation: 'ExecuteChangeSet', fault: 'kill' }], own.server.pid);
    const [exit, said] = await deploy(dir, faults.url, 'nkilled');
    await faults.stop();
    assert.equal(exit, 1);
    assert.match(said, /gave up after 6 attempts/);
    assert.ok(said.includes('whether CloudFormation started the change set on flows-nkilled is not known'), said);
  } finally {
    own.stop();
  }
  const [exit, said] = await deploy(dir, moto.endpoint, 'nkilled');
  assert.equal(exit, 0, said);
  await deployed('nkilled');
});

test('Ctrl-C mid-deploy says CloudFormation goes on, and how to follow it', async () => {
  const dir = app('ctrlc');
  const faults = await proxy(moto.endpoint, [{ operation: 'DescribeStackEvents', after: 'ExecuteChangeSet', fault: 'slow', seconds: 30 }]);
  const env = { ...process.env, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1' };
  const command = spawn(process.execPath, [COMMAND, 'deploy', dir, '--stage', 'nctrlc', '--endpoint-url', faults.url, '--yes'],
    { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  command.stderr.on('data', (chunk) => { err += chunk; });
  const exited = once(command, 'exit');
  await faults.injected();  // the change set executes, then the progress read hangs: Ctrl-C
  command.kill('SIGINT');
  const [status] = await exited;
  await faults.stop();
  assert.equal(status, 130, err);
  assert.ok(err.endsWith(`pareto: interrupted\nCloudFormation goes on creating flows-nctrlc without pareto: \`pareto events ${dir} `
    + '--stage nctrlc` shows how it ends, and the next deploy waits for it\n'), err);
  await deployed('nctrlc');
});
