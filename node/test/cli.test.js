'use strict';
// `pareto` from Node: the core's command line, so the same exit statuses and bytes as the
// native and Python commands; and the host's steps that reach no AWS.
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { test } = require('node:test');
const { Host, errorAnswer, normalized, request } = require('../lib/host');
const { COMMAND, EXAMPLE, NATIVE, PYTHON, ROOT, VECTORS } = require('./support');

// Not as a child of this test runner: `pareto test` runs `node --test` of its own.
const { NODE_TEST_CONTEXT, ...env } = process.env;
const run = (...args) => spawnSync(process.execPath, [COMMAND, ...args], { encoding: 'buffer', env });
// What the command said, on either stream (which one is the engine's choice, the same in every host).
const said = (done) => String(done.stdout) + String(done.stderr);
const python = (...args) => spawnSync(PYTHON, ['-c', 'import sys; from pareto.host import main; sys.exit(main())', ...args],
  { encoding: 'buffer' });
const INVALID = path.join(VECTORS, 'errors', 'many-at-once');
const STREAMS = path.join(ROOT, 'examples', 'streams');

function tmpdir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'pareto-node-'));
}

test('validate: 0 and a line when valid; 1 and every error when not', () => {
  const ok = run('validate', EXAMPLE);
  assert.equal(ok.status, 0);
  assert.equal(said(ok), 'hello: valid\n');
  const bad = run('validate', INVALID);
  assert.equal(bad.status, 1);
  const lines = String(bad.stderr).trim().split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[0], /pareto\.yaml:1:1: \/app: .* \[E2005\]$/);
  const json = run('validate', '--json', INVALID);
  assert.equal(json.status, 1);
  assert.equal(JSON.parse(json.stdout).length, 4);
});

test('every command without AWS prints what the native and Python commands print', () => {
  const event = JSON.stringify({ source: 'my.deployer' });
  for (const args of [['validate', EXAMPLE], ['validate', INVALID], ['validate', '--json', INVALID],
    ['synth', EXAMPLE], ['graph', EXAMPLE], ['graph', '--format', 'dot', EXAMPLE],
    ['budget', EXAMPLE], ['budget', '--json', EXAMPLE], ['match', '{"source": ["a"]}', '{"source": "b"}'],
    ['match', '--rules', path.join(VECTORS, 'events', 'bucket-and-custom'), event],
    ['synth', STREAMS], ['bogus'], ['synth', '/no/such/app'], ['deploy', EXAMPLE, '--stage', 'Bad!']]) {
    const ours = run(...args);
    for (const [name, theirs] of [['native', spawnSync(NATIVE, args)], ['python', python(...args)]]) {
      // The native command reaches no AWS and runs no kind modules.
      if (name === 'native' && (args[0] === 'deploy' || args[1] === STREAMS)) continue;
      assert.equal(ours.status, theirs.status, `${name}: ${args.join(' ')}: ${theirs.stderr}`);
      assert.ok(ours.stdout.equals(theirs.stdout), `${name}: ${args.join(' ')}: stdout`);
      assert.ok(ours.stderr.equals(theirs.stderr), `${name}: ${args.join(' ')}: ${ours.stderr} / ${theirs.stderr}`);
    }
  }
});

test('package writes each function\'s archive, atomically, where asked: Python\'s bytes', () => {
  const dir = tmpdir();
  const done = run('package', EXAMPLE, '-o', path.join(dir, 'node'));
  assert.equal(done.status, 0, String(done.stderr));
  assert.match(said(done), /actions\/hello-get\.zip: [\d,]+ bytes, key pareto\/hello\/actions\/hello-get\/[0-9a-f]{32}\.zip/);
  const names = fs.readdirSync(path.join(dir, 'node', 'actions')).sort();
  assert.deepEqual(names, ['hello-get.zip', 'hello-post.zip', 'ticker.zip', 'worker.zip']);
  const theirs = python('package', EXAMPLE, '-o', path.join(dir, 'python'));
  assert.equal(theirs.status, 0, String(theirs.stderr));
  for (const name of names)
    assert.ok(fs.readFileSync(path.join(dir, 'node', 'actions', name)).equals(fs.readFileSync(path.join(dir, 'python', 'actions', name))));
  fs.rmSync(dir, { recursive: true });
});

test('match: 0 on a match, 1 without, 2 for bad input; --rules reads the app', () => {
  assert.equal(run('match', '{"source": ["a"]}', '{"source": "a"}').status, 0);
  assert.equal(run('match', '{"source": ["a"]}', '{"source": "b"}').status, 1);
  assert.equal(run('match', '{"source": "a"}', '{}').status, 2);  // an invalid pattern: its errors
  assert.equal(run('match', '{nope', '{}').status, 2);
  const event = JSON.stringify({ source: 'my.deployer' });
  const fired = run('match', '--rules', path.join(VECTORS, 'events', 'bucket-and-custom'), event);
  assert.equal(fired.status, 0, String(fired.stderr));
  assert.match(String(fired.stdout), /IngestDeploysRule/);
});

test('usage errors exit 2 with a message, never a stack trace', () => {
  for (const args of [['bogus'], ['synth', '/no/such/app'], ['graph', '--format', 'svg', EXAMPLE], ['match', '{}'],
    ['synth', EXAMPLE, '--kinds', '/no/such/kinds.js'], ['deploy', EXAMPLE, '--stage', 'Bad!']]) {
    const done = run(...args);
    assert.equal(done.status, 2, args.join(' '));
    assert.match(String(done.stderr), /^pareto: |Run with --help/m, args.join(' '));
    assert.doesNotMatch(String(done.stderr), /\n\s+at /);
  }
});

test('custom kinds: the modules pareto.yaml names, and --kinds, loaded by Node', () => {
  const dir = tmpdir();
  fs.cpSync(STREAMS, dir, { recursive: true });
  const yaml = path.join(dir, 'pareto.yaml');
  fs.writeFileSync(yaml, fs.readFileSync(yaml, 'utf8').replace(/^kinds:\n(?: .*\n)+/m, ''));
  assert.equal(run('synth', dir).status, 1);  // streams: no such kind
  const done = run('synth', dir, '--kinds', path.join(dir, 'kinds', 'stream.js'));
  assert.equal(done.status, 0, String(done.stderr));
  assert.ok(done.stdout.equals(run('synth', STREAMS).stdout));
  assert.equal(JSON.parse(done.stdout).Resources.ClicksStream.Type, 'AWS::Kinesis::Stream');
  fs.rmSync(dir, { recursive: true });
});

test('test runs each action\'s tests with the host\'s own node, in the template\'s environment', () => {
  const dir = tmpdir();
  fs.cpSync(path.join(VECTORS, 'actions', 'nodejs'), dir, { recursive: true });
  const spec = path.join(dir, 'greet', 'index.test.js');
  fs.writeFileSync(spec, "require('node:test')('env', () => require('node:assert').ok(process.env.USERS_TABLE));\n");
  const passed = run('test', dir);
  assert.equal(passed.status, 0, String(passed.stderr));
  assert.match(said(passed), /^greet: 1 test file\(s\) passed$/m);
  fs.writeFileSync(spec, "require('node:test')('fails', () => { throw new Error('on purpose'); });\n");
  const failed = run('test', dir);
  assert.equal(failed.status, 1);
  assert.match(said(failed), /on purpose[\s\S]*^failed: greet$/m);
  fs.rmSync(dir, { recursive: true });
});

test('SDK answers in the engine\'s form, and its errors', () => {
  assert.deepEqual(normalized({ $metadata: { httpStatusCode: 200 }, When: new Date(Date.UTC(2026, 11, 1, 9, 30)),
    Payload: new Uint8Array([104, 105]), Items: [{ Body: Buffer.from('x') }], Count: 2 }),
  { When: '2026-12-01T09:30:00.000Z', Payload: 'aGk=', Items: [{ Body: 'eA==' }], Count: 2 });
  assert.deepEqual(request({ Payload: { $bytes: 'aGk=' }, List: [{ $bytes: '' }], Name: 'n' }),
    { Payload: Buffer.from('hi'), List: [Buffer.alloc(0)], Name: 'n' });
  const missing = Object.assign(new Error('Stack with id x does not exist'),
    { name: 'ValidationError', $metadata: { httpStatusCode: 400 } });
  assert.deepEqual(errorAnswer(missing), { error: { code: 'ValidationError', message: 'Stack with id x does not exist', status: 400 } });
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', $metadata: { attempts: 1 } });
  assert.equal(errorAnswer(refused).error.code, 'NetworkingError');
  assert.equal(errorAnswer(Object.assign(new Error('slow'), { name: 'TimeoutError' })).error.code, 'NetworkingError');
  // No credentials is no network failure: the engine must not retry it.
  assert.deepEqual(errorAnswer(Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' })),
    { error: { code: 'CredentialsProviderError', message: 'Could not load credentials', status: 0 } });
});

/** Runs `body` with these environment variables (undefined: unset), then restores them. */
async function withEnv(variables, body) {
  const saved = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  const set = (values) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  set(variables);
  try {
    await body();
  } finally {
    set(saved);
  }
}

test('connect: the region given, else the environment\'s, else the profile\'s, else us-east-1', async () => {
  const dir = tmpdir();
  fs.writeFileSync(path.join(dir, 'config'), '[profile far]\nregion = ap-south-2\n');
  const unset = { AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined, AWS_PROFILE: undefined };
  await withEnv({ ...unset, AWS_CONFIG_FILE: path.join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none') }, async () => {
    const host = new Host();
    assert.deepEqual(await host.connect({ region: 'eu-west-1' }), { region: 'eu-west-1' });
    assert.deepEqual(await host.connect({ profile: 'far' }), { region: 'ap-south-2' });
    assert.deepEqual(await host.connect({}), { region: 'us-east-1' });
    await withEnv({ AWS_DEFAULT_REGION: 'ca-central-1' }, async () => {
      assert.deepEqual(await host.connect({ profile: 'far' }), { region: 'ca-central-1' });
    });
    await host.connect({ endpoint: 'http://127.0.0.1:1', credentials: { access_key_id: 'a', secret_access_key: 'b' } });
    assert.equal(host.client('s3').config.forcePathStyle, true);
    assert.equal(await host.client('cloudformation').config.maxAttempts(), 1);
    assert.equal((await host.client('sts').config.credentials()).accessKeyId, 'a');
  });
  fs.rmSync(dir, { recursive: true });
});
