'use strict';
// Deploys with the AWS SDK v3 against moto's server, started here on a free 127.0.0.1 port:
// create, update, an update with no changes, destroy; failure reasons; the stateful guard.
const assert = require('node:assert/strict');
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { after, before, test } = require('node:test');
const { CloudFormationClient, DescribeStackResourcesCommand, DescribeStacksCommand } = require('@aws-sdk/client-cloudformation');
const pareto = require('..');
const { Stack, DeployError, replacesState } = require('../lib/deploy');
const { PYTHON, ROOT, VECTORS } = require('./support');

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
let moto;
let endpoint;

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    }).on('error', reject);
  });
}

async function listening(port, deadline) {
  for (;;) {
    const up = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => { socket.end(); resolve(true); })
        .on('error', () => resolve(false));
    });
    if (up) return;
    if (Date.now() > deadline || moto.exitCode !== null) throw new Error(`moto's server did not start on ${port}`);
    await new Promise((resolve) => { setTimeout(resolve, 50); });
  }
}

before(async () => {
  const port = await freePort();
  // moto's server as the Python package starts it: with nested stacks' outputs readable.
  moto = spawn(PYTHON, ['-m', 'pareto.moto_server', '-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  endpoint = `http://127.0.0.1:${port}`;
  await listening(port, Date.now() + 30000);
});

after(() => moto && moto.kill());

function options(stage, events = []) {
  return { stage, region: 'us-east-1', endpoint, credentials, pollMs: 50, onEvent: (e) => events.push(e) };
}

function copyOf(vector) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pareto-node-deploy-'));
  fs.cpSync(path.join(VECTORS, vector), dir, { recursive: true });
  return dir;
}

test('deploy, update, no-change update and destroy', async () => {
  const dir = copyOf('queues/worker');
  const events = [];
  const outputs = await pareto.App.load(dir).deploy(options('trip', events));
  assert.equal(outputs.WorkerFunction, 'demo-trip-worker');
  assert.match(outputs.JobsQueue, /demo-trip-jobs$/);
  const created = events.find((e) => e.type === 'change-set').changeSet;
  assert.equal(created.stackType, 'CREATE');
  assert.ok(created.changes.some((c) => c.logicalId === 'JobsQueueMapping' && c.action === 'Add'));
  // Progress: moto tells of the stack's events only, AWS of each resource's too.
  assert.ok(events.some((e) => e.type === 'resource' && e.status === 'CREATE_IN_PROGRESS' && e.logicalId === 'demo-trip'));
  assert.equal(events.at(-1).message, 'demo-trip: CREATE_COMPLETE');
  const cloudformation = new CloudFormationClient({ region: 'us-east-1', endpoint, credentials });
  const resources = await cloudformation.send(new DescribeStackResourcesCommand({ StackName: 'demo-trip' }));
  assert.equal(resources.StackResources.length, 6);

  // The code archive is what Python would upload: the same key.
  const uploaded = events.find((e) => e.type === 'message' && e.message.startsWith('uploaded s3://'));
  assert.ok(uploaded.message.includes(pareto.App.load(dir).package().key('demo')));

  fs.appendFileSync(path.join(dir, 'worker', 'index.py'), '# changed\n');
  events.length = 0;
  assert.deepEqual(await pareto.App.load(dir).deploy(options('trip', events)), outputs);
  const update = events.find((e) => e.type === 'change-set').changeSet;
  assert.equal(update.stackType, 'UPDATE');
  assert.notEqual(update.id, null);
  // The new code's key reached the stack (moto lists no resource changes for a parameter's).
  const { Stacks: [stack] } = await cloudformation.send(new DescribeStacksCommand({ StackName: 'demo-trip' }));
  const key = stack.Parameters.find((p) => p.ParameterKey === 'ArtifactsKey').ParameterValue;
  assert.equal(key, pareto.App.load(dir).package().key('demo'));
  assert.equal(stack.StackStatus, 'UPDATE_COMPLETE');

  events.length = 0;
  assert.deepEqual(await pareto.App.load(dir).deploy(options('trip', events)), outputs);
  // No changes: AWS fails the change set, moto makes an empty one.
  assert.deepEqual(events.find((e) => e.type === 'change-set').changeSet.changes, []);

  await pareto.App.load(dir).destroy(options('trip'));
  assert.equal(await new Stack('demo', options('trip')).describe(), null);
  await assert.rejects(pareto.App.load(dir).outputs(options('trip')), DeployError);
});

test('a failing deploy says why', async () => {
  // A deployment of a REST API without methods: moto refuses it, as AWS does.
  const template = { Resources: {
    Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'api' } },
    Deployment: { Type: 'AWS::ApiGateway::Deployment', Properties: { RestApiId: { Ref: 'Api' } } },
  } };
  const events = [];
  const stack = new Stack('broken', options('dev', events));
  const changeSet = await stack.createChangeSet(JSON.stringify(template), {}, await stack.artifactsBucket());
  await assert.rejects(stack.execute(changeSet), /executing the change set failed .*contain any methods/s);
});

test('destroy empties the buckets first', async () => {
  const dir = copyOf('buckets/basic');
  const app = pareto.App.load(dir);
  const events = [];
  const outputs = await app.deploy(options('empty', events));
  const bucket = outputs.UploadsBucket;
  const { S3Client, PutObjectCommand } = require('@aws-sdk/client-s3');
  const s3 = new S3Client({ region: 'us-east-1', endpoint, credentials, forcePathStyle: true });
  for (let i = 0; i < 3; i += 1) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `in/${i}`, Body: 'x' }));
  events.length = 0;
  await app.destroy(options('empty', events));
  assert.ok(events.some((e) => e.message === `emptied 3 objects from ${bucket}`));
});

test('the command deploys, prints outputs and destroys', () => {
  const { spawnSync } = require('node:child_process');
  const { COMMAND } = require('./support');
  const env = { ...process.env, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1', PARETO_ENDPOINT_URL: endpoint };
  const run = (...args) => spawnSync(process.execPath, [COMMAND, ...args], { env, encoding: 'utf8' });
  const app = path.join(VECTORS, 'queues', 'worker');
  const deployed = run('deploy', app, '--stage', 'cli', '-y');
  assert.equal(deployed.status, 0, deployed.stderr);
  assert.match(deployed.stdout, /JobsQueueMapping .*AWS::Lambda::EventSourceMapping .*Add/);
  assert.match(deployed.stdout, /demo-cli: CREATE_COMPLETE/);
  assert.match(deployed.stdout, /^WorkerFunction = demo-cli-worker$/m);
  assert.match(run('outputs', app, '--stage', 'cli').stdout, /^JobsQueueDlq = /m);
  assert.equal(run('destroy', app, '--stage', 'cli', '-y').status, 0);
  const gone = run('outputs', app, '--stage', 'cli');
  assert.equal(gone.status, 1);
  assert.match(gone.stderr, /there is no stack demo-cli/);
  assert.equal(run('deploy', app, '--stage', 'Bad!').status, 2);
});

test('replacing what holds data is refused unless allowed', () => {
  assert.equal(replacesState({ resourceType: 'AWS::DynamoDB::Table', replacement: 'True' }), true);
  assert.equal(replacesState({ resourceType: 'AWS::Lambda::Function', replacement: 'True' }), false);
  assert.throws(() => new Stack('x', { stage: 'Bad Stage' }), TypeError);
});

test('an app past one stack\'s quotas deploys as nested stacks, Python\'s bytes', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pareto-node-nested-'));
  // No APIs: moto does not model their stages, and Node has no local mode to leave them out.
  execFileSync(PYTHON, [path.join(ROOT, 'tests', 'support', 'generated_app.py'), '1000', dir, '--no-apis']);
  const app = pareto.App.load(dir);
  const nested = app.nestedStacks();
  assert.ok(nested.length > 1);
  const python = JSON.parse(execFileSync(PYTHON, ['-c',
    'import json, sys, pareto; print(json.dumps(pareto.App.load(sys.argv[1]).nested_stacks()))', dir],
  { maxBuffer: 1 << 28 }));
  assert.deepEqual(nested, python);

  const events = [];
  const outputs = await app.deploy(options('nested', events));
  const described = nested.flatMap((stack) => Object.entries(JSON.parse(stack.template).Outputs)
    .filter(([, output]) => output.Description).map(([id]) => id));
  assert.deepEqual(Object.keys(outputs).sort(), described.sort());
  assert.equal(outputs.Table0Table, 'generated-nested-table0');
  for (const stack of nested) {
    assert.ok(events.some((e) => e.type === 'message' && e.message.includes(stack.key)), stack.key);
  }
  // Reading one more table widens a role inside a nested stack: the diff says so.
  fs.writeFileSync(path.join(dir, 'worker1', 'index.py'),
    'import os\n\nTABLES = os.environ["TABLE7_TABLE"], os.environ["TABLE8_TABLE"]\n\n\ndef handler(event, context):\n    return TABLES\n');
  const changed = await pareto.App.load(dir).diff(options('nested'));
  assert.ok(changed.widened.some((s) => s.startsWith('Worker1FunctionRole: ') && s.includes('Table8Table')), changed.widened.join('\n'));
  await app.destroy(options('nested'));
  const cloudformation = new CloudFormationClient({ region: 'us-east-1', endpoint, credentials });
  await assert.rejects(cloudformation.send(new DescribeStacksCommand({ StackName: 'generated-nested' })));
});

test('an app with a custom kind deploys: the example streams kind from its Node module', async () => {
  const events = [];
  // Without its API: moto's API Gateway needs the compatibility pass only Python's local mode has.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pareto-node-kinds-'));
  fs.cpSync(path.join(ROOT, 'examples', 'streams'), dir, { recursive: true });
  const yaml = path.join(dir, 'pareto.yaml');
  fs.writeFileSync(yaml, fs.readFileSync(yaml, 'utf8').replace(/^apis:\n(?: .*\n)+/m, ''));
  const app = pareto.App.load(dir);
  assert.equal(app.synth().Resources.PublicApi, undefined);
  const outputs = await app.deploy(options('kinds', events));
  assert.equal(outputs.ClicksStreamName, 'clicks-kinds-clicks');
  assert.match(outputs.ClicksStreamArn, /:stream\/clicks-kinds-clicks$/);
  const cloudformation = new CloudFormationClient({ region: 'us-east-1', endpoint, credentials });
  const { StackResources: resources } = await cloudformation.send(new DescribeStackResourcesCommand({ StackName: 'clicks-kinds' }));
  const types = Object.fromEntries(resources.map((r) => [r.LogicalResourceId, r.ResourceType]));
  assert.equal(types.ClicksStream, 'AWS::Kinesis::Stream');
  assert.equal(types.ClicksStreamTallyFunctionMapping, 'AWS::Lambda::EventSourceMapping');
  await app.destroy(options('kinds'));
});
