'use strict';
// Deploys through the core's engine, its AWS calls made by the Node host against moto's server
// (started here on a free 127.0.0.1 port): create, update, an update with no changes, destroy;
// nested stacks, a custom kind, the command line, local mode, failures.
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { after, before, test } = require('node:test');
const { CloudFormationClient, DescribeStackResourcesCommand, DescribeStacksCommand, ListStackResourcesCommand } = require('@aws-sdk/client-cloudformation');
const { GetFunctionCommand, LambdaClient } = require('@aws-sdk/client-lambda');
const { S3Client, PutObjectCommand } = require('@aws-sdk/client-s3');
const pareto = require('..');
const { freePort } = require('../lib/host');
const { COMMAND, PYTHON, ROOT, VECTORS, startMoto } = require('./support');

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
let moto;
let endpoint;

before(async () => {
  moto = await startMoto();
  ({ endpoint } = moto);
});

after(() => moto && moto.stop());

/** The options of a library call on moto's server; what the command says is kept in `said`. */
function options(stage, said = []) {
  return { stage, endpoint, write: (stream, text) => said.push(...text.split('\n').filter(Boolean)) };
}

const cloudformation = () => new CloudFormationClient({ region: 'us-east-1', endpoint, credentials });
const lambda = () => new LambdaClient({ region: 'us-east-1', endpoint, credentials });

function copyOf(source) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pareto-node-deploy-'));
  fs.cpSync(source, dir, { recursive: true });
  return dir;
}

test('deploy, update, no-change update and destroy', async () => {
  const dir = copyOf(path.join(VECTORS, 'queues', 'worker'));
  const said = [];
  const outputs = await pareto.App.load(dir).deploy(options('trip', said));
  assert.equal(outputs.WorkerFunction, 'demo-trip-worker');
  assert.match(outputs.JobsQueue, /demo-trip-jobs$/);
  assert.ok(said.some((line) => /^JobsQueueMapping +AWS::Lambda::EventSourceMapping +Add/.test(line)), said.join('\n'));
  assert.ok(said.includes('demo-trip: CREATE_COMPLETE'), said.join('\n'));
  assert.ok(said.includes(`WorkerFunction = ${outputs.WorkerFunction}`));
  const resources = await cloudformation().send(new DescribeStackResourcesCommand({ StackName: 'demo-trip' }));
  assert.equal(resources.StackResources.length, 6);
  // The function's archive is what Python would upload: the same key, through the "upload" step.
  const [{ key }] = pareto.App.load(dir).functions;
  assert.ok(said.some((line) => line.startsWith('uploaded s3://') && line.includes(key)), said.join('\n'));

  fs.appendFileSync(path.join(dir, 'worker', 'index.py'), '# changed\n');
  said.length = 0;
  assert.deepEqual(await pareto.App.load(dir).deploy(options('trip', said)), outputs);
  // The new code, under its own key, is what the function runs.
  const { Stacks: [stack] } = await cloudformation().send(new DescribeStacksCommand({ StackName: 'demo-trip' }));
  assert.equal(stack.StackStatus, 'UPDATE_COMPLETE');
  const code = pareto.App.load(dir).package('worker');
  const { Configuration } = await lambda().send(new GetFunctionCommand({ FunctionName: 'demo-trip-worker' }));
  assert.equal(Configuration.CodeSha256, crypto.createHash('sha256').update(code.data).digest('base64'));

  said.length = 0;
  assert.deepEqual(await pareto.App.load(dir).deploy(options('trip', said)), outputs);
  assert.ok(said.some((line) => / is up to date$/.test(line)), said.join('\n'));
  const diff = await pareto.App.load(dir).diff(options('trip'));
  assert.deepEqual(diff.overridden, []);

  await pareto.App.load(dir).destroy(options('trip'));
  await assert.rejects(cloudformation().send(new DescribeStacksCommand({ StackName: 'demo-trip' })));
  await assert.rejects(pareto.App.load(dir).outputs(options('trip')),
    (error) => error instanceof pareto.CommandError && error.exit === 1 && /demo-trip/.test(error.message));
});

test('each stage deploys its own settings; an app loaded for one stage goes to no other', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pareto-node-stages-'));
  fs.mkdirSync(path.join(dir, 'api'));
  fs.writeFileSync(path.join(dir, 'api', 'index.py'), 'def handler(event, context):\n    return {}\n');
  fs.writeFileSync(path.join(dir, 'pareto.yaml'), [
    'app: staged', 'actions:', '  - name: api', '    memory: 256', 'stages:', '  prod:',
    '    actions:', '      api: {memory: 1024, architecture: arm64}', '    overrides:',
    '      ApiFunction:', '        Properties: {Description: tuned by hand}', ''].join('\n'));
  await pareto.App.load(dir, { stage: 'dev' }).deploy(options('dev'));
  const prod = pareto.App.load(dir, { stage: 'prod' });
  assert.equal(prod.stage, 'prod');
  const said = [];
  assert.deepEqual((await prod.diff(options('prod', said))).overridden, ['ApiFunction']);
  assert.ok(said.includes('overridden (overrides:): ApiFunction'), said.join('\n'));
  await prod.deploy({ endpoint, write: () => {} });  // the app's stage: prod
  const configuration = async (name) => (await lambda().send(new GetFunctionCommand({ FunctionName: name }))).Configuration;
  const [dev, tuned] = [await configuration('staged-dev-api'), await configuration('staged-prod-api')];
  assert.deepEqual([dev.MemorySize, dev.Architectures], [256, ['x86_64']]);
  assert.deepEqual([tuned.MemorySize, tuned.Architectures, tuned.Description], [1024, ['arm64'], 'tuned by hand']);
  await assert.rejects(prod.deploy(options('dev')), (error) => error instanceof pareto.CommandError &&
    error.message.includes("loaded with stage prod's settings, and this command is for stage dev"));
});

test('destroy empties the buckets first; a retained bucket stays, with its objects', async () => {
  const { ListObjectsV2Command } = require('@aws-sdk/client-s3');
  const app = pareto.App.load(path.join(VECTORS, 'buckets', 'retain-off'));
  const outputs = await app.deploy(options('empty'));
  const [scratch, archive] = [outputs.ScratchBucket, outputs.ArchiveBucket];
  const s3 = new S3Client({ region: 'us-east-1', endpoint, credentials, forcePathStyle: true });
  for (let i = 0; i < 3; i += 1) await s3.send(new PutObjectCommand({ Bucket: scratch, Key: `in/${i}`, Body: 'x' }));
  await s3.send(new PutObjectCommand({ Bucket: archive, Key: 'kept', Body: 'x' }));
  const said = [];
  const result = await app.destroy(options('empty', said));
  assert.ok(said.includes(`emptied 3 objects from ${scratch}`), said.join('\n'));
  assert.deepEqual(result.kept.map((r) => r.physical_id), [archive]);
  assert.equal((await s3.send(new ListObjectsV2Command({ Bucket: archive }))).KeyCount, 1);
});

test('the command deploys, prints outputs and destroys', () => {
  const env = { ...process.env, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1', PARETO_ENDPOINT_URL: endpoint };
  const run = (...args) => spawnSync(process.execPath, [COMMAND, ...args], { env, encoding: 'utf8' });
  const app = path.join(VECTORS, 'queues', 'worker');
  const deployed = run('deploy', app, '--stage', 'cli', '-y');
  assert.equal(deployed.status, 0, deployed.stderr);
  assert.match(deployed.stderr, /JobsQueueMapping .*AWS::Lambda::EventSourceMapping .*Add/);
  assert.match(deployed.stderr, /demo-cli: CREATE_COMPLETE/);
  assert.match(deployed.stdout, /^WorkerFunction = demo-cli-worker$/m);
  assert.match(run('outputs', app, '--stage', 'cli').stdout, /^JobsQueueDlq = /m);
  assert.equal(JSON.parse(run('outputs', app, '--stage', 'cli', '--json').stdout).WorkerFunction, 'demo-cli-worker');
  assert.equal(run('destroy', app, '--stage', 'cli', '-y').status, 0);
  const gone = run('outputs', app, '--stage', 'cli');
  assert.equal(gone.status, 1);
  assert.match(gone.stderr, /^pareto: .*demo-cli/m);
  assert.equal(run('deploy', app, '--stage', 'Bad!').status, 2);
});

test('an unreachable endpoint: the engine retries the dropped connections, then says why', async () => {
  const said = [];
  const closed = `http://127.0.0.1:${await freePort()}`;
  await assert.rejects(pareto.App.load(path.join(VECTORS, 'queues', 'worker')).outputs({ ...options('gone', said), endpoint: closed }),
    (error) => error instanceof pareto.CommandError && /^NetworkingError: .*ECONNREFUSED/.test(error.message));
  assert.equal(said.filter((line) => / NetworkingError .*retrying in /.test(line)).length, 5, said.join('\n'));
});

test('local mode: moto\'s server started for the call, and stopped after it', async () => {
  const app = pareto.App.load(path.join(VECTORS, 'queues', 'worker'));
  const said = [];
  const outputs = await app.deploy({ stage: 'local', local: true, write: (stream, text) => said.push(text) });
  assert.equal(outputs.WorkerFunction, 'demo-local-worker');
  // A server of its own each time: the next call finds no stack.
  await assert.rejects(app.outputs({ stage: 'local', local: true, write: () => {} }), pareto.CommandError);
});

test('an app past one stack\'s quotas deploys as nested stacks, Python\'s bytes', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pareto-node-nested-'));
  execFileSync(PYTHON, [path.join(ROOT, 'tests', 'support', 'generated_app.py'), '1000', dir]);
  const app = pareto.App.load(dir);
  const nested = app.nestedStacks();
  assert.ok(nested.length > 1);
  const python = JSON.parse(execFileSync(PYTHON, ['-c',
    'import json, sys, pareto; print(json.dumps(pareto.App.load(sys.argv[1]).nested_stacks()))', dir],
  { maxBuffer: 1 << 28 }));
  assert.deepEqual(nested, python);

  const said = [];
  const outputs = await app.deploy(options('nested', said));
  // Every described output, but those of the API stages moto lacks: the engine drops them, and says so.
  const dropped = new Set(said.map((line) => /^local: dropped output (\w+):/.exec(line)?.[1]).filter(Boolean));
  assert.ok([...dropped].every((id) => /ApiStage$/.test(id)), [...dropped].join(' '));
  const described = nested.flatMap((stack) => Object.entries(JSON.parse(stack.template).Outputs)
    .filter(([id, output]) => output.Description && !dropped.has(id)).map(([id]) => id));
  assert.deepEqual(Object.keys(outputs).sort(), described.sort());
  assert.equal(outputs.Table0Table, 'generated-nested-table0');
  for (const stack of nested) assert.ok(said.some((line) => line.includes(stack.key)), stack.key);
  // Reading one more table widens a role inside a nested stack: the diff says so.
  fs.writeFileSync(path.join(dir, 'worker1', 'index.py'),
    'import os\n\nTABLES = os.environ["TABLE7_TABLE"], os.environ["TABLE8_TABLE"]\n\n\ndef handler(event, context):\n    return TABLES\n');
  const changed = await pareto.App.load(dir).diff(options('nested'));
  assert.ok(changed.widened.some((s) => s.startsWith('Worker1FunctionRole: ') && (s.includes('Table8Table') || s.includes('table/generated-${StageName}-table8"'))), changed.widened.join('\n'));
  await app.destroy(options('nested'));
  await assert.rejects(cloudformation().send(new DescribeStacksCommand({ StackName: 'generated-nested' })));
});

test('an app with a custom kind deploys: the example streams kind from its Node module', async () => {
  const app = pareto.App.load(path.join(ROOT, 'examples', 'streams'));
  const outputs = await app.deploy(options('kinds'));
  assert.equal(outputs.ClicksStreamName, 'clicks-kinds-clicks');
  assert.match(outputs.ClicksStreamArn, /:stream\/clicks-kinds-clicks$/);
  const { StackResources: resources } = await cloudformation().send(new DescribeStackResourcesCommand({ StackName: 'clicks-kinds' }));
  const types = Object.fromEntries(resources.map((r) => [r.LogicalResourceId, r.ResourceType]));
  assert.equal(types.ClicksStream, 'AWS::Kinesis::Stream');
  assert.equal(types.ClicksStreamTallyFunctionMapping, 'AWS::Lambda::EventSourceMapping');
  await app.destroy(options('kinds'));
});

test('no edit or deploy loses data without a flag: grown, shrunk, destroyed (Python\'s test_data)', async () => {
  const { DynamoDBClient, PutItemCommand, ScanCommand } = require('@aws-sdk/client-dynamodb');
  const { ListObjectsV2Command } = require('@aws-sdk/client-s3');
  const dynamodb = new DynamoDBClient({ region: 'us-east-1', endpoint, credentials });
  const s3 = new S3Client({ region: 'us-east-1', endpoint, credentials, forcePathStyle: true });
  const stack = 'generated-keepnode';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pareto-node-data-'));
  const write = (components) => execFileSync(PYTHON, [path.join(ROOT, 'tests', 'support', 'generated_app.py'),
    String(components), dir, '--no-apis']);
  const placement = async () => {
    const out = {};
    const list = async (name) => {
      const all = [];
      let token;
      do {
        const page = await cloudformation().send(new ListStackResourcesCommand({ StackName: name, NextToken: token }));
        all.push(...page.StackResourceSummaries);
        token = page.NextToken;
      } while (token);
      return all;
    };
    for (const r of await list(stack)) {
      if (r.ResourceType !== 'AWS::CloudFormation::Stack') { out[r.LogicalResourceId] = ''; continue; }
      for (const held of await list(r.PhysicalResourceId)) out[held.LogicalResourceId] = r.LogicalResourceId;
    }
    return out;
  };
  const data = async (from, to) => {
    let items = 0;
    let objects = 0;
    for (let i = from; i < to; i++) {
      items += (await dynamodb.send(new ScanCommand({ TableName: `${stack}-table${i}` })).catch(() => ({ Count: 0 }))).Count;
      objects += (await s3.send(new ListObjectsV2Command({ Bucket: `${stack}-bucket${i}-123456789012` })).catch(() => ({ KeyCount: 0 }))).KeyCount;
    }
    return [items, objects];
  };
  const fill = async (from, to) => {
    for (let i = from; i < to; i++) {
      await dynamodb.send(new PutItemCommand({ TableName: `${stack}-table${i}`, Item: { pk: { S: 'kept' }, sk: { S: String(i) } } }));
      await s3.send(new PutObjectCommand({ Bucket: `${stack}-bucket${i}-123456789012`, Key: 'kept.txt', Body: 'x' }));
    }
  };
  write(1000);
  await pareto.App.load(dir).deploy(options('keepnode'));
  const deployed = await placement();
  await fill(0, 200);
  write(1100);
  await pareto.App.load(dir).deploy(options('keepnode'));
  const grown = await placement();
  for (const [id, held] of Object.entries(deployed)) assert.equal(grown[id], held, id);
  assert.deepEqual(await data(0, 200), [200, 200]);
  await fill(200, 220);
  write(1050);
  const shrunk = pareto.App.load(dir);
  await assert.rejects(shrunk.deploy(options('keepnode')), (error) => error instanceof pareto.CommandError &&
    error.message.includes('refused, nothing changed') && error.message.includes(`Table215Table (AWS::DynamoDB::Table ${stack}-table215): 1 item`));
  assert.deepEqual(await placement(), grown);
  await shrunk.deploy({ ...options('keepnode'), allowDelete: true });
  assert.deepEqual(await data(0, 220), [220, 220]);
  const result = await shrunk.destroy({ ...options('keepnode'), deleteData: true });
  assert.equal(result.deleted.length, 2 * 210);
  assert.deepEqual(await data(0, 210), [0, 0]);
  assert.deepEqual(await data(210, 220), [10, 10]);
});
