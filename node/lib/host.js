'use strict';
// The Node host of the core's engine: every command and every deploy decision is the core's
// (pareto.h, "Commands as flows"); this module performs the steps it yields, with the AWS SDK
// for JavaScript v3, and nothing else. python/src/pareto/host.py is its twin.
const fs = require('node:fs');
const { spawn } = require('node:child_process');
const { once } = require('node:events');
const net = require('node:net');
const path = require('node:path');
const os = require('node:os');
const { Writable } = require('node:stream');
const { setTimeout: sleep } = require('node:timers/promises');
const native = require('./native');
const { App } = require('./app');
const { CommandError, ParetoError, ValidationError, check } = require('./errors');
const { KindError, kindsInModule } = require('./kinds');
const { Incoming } = require('./serve');

// boto3's service names (the engine's) → the SDK's package and client class.
const SERVICES = {
  cloudformation: ['client-cloudformation', 'CloudFormationClient'],
  s3: ['client-s3', 'S3Client'],
  sts: ['client-sts', 'STSClient'],
  logs: ['client-cloudwatch-logs', 'CloudWatchLogsClient'],
  lambda: ['client-lambda', 'LambdaClient'],
  'cognito-idp': ['client-cognito-identity-provider', 'CognitoIdentityProviderClient'],
  cloudwatch: ['client-cloudwatch', 'CloudWatchClient'],
  dynamodb: ['client-dynamodb', 'DynamoDBClient'],
  sqs: ['client-sqs', 'SQSClient'],
  secretsmanager: ['client-secrets-manager', 'SecretsManagerClient'],
  apigateway: ['client-api-gateway', 'APIGatewayClient'],
  dynamodbstreams: ['client-dynamodb-streams', 'DynamoDBStreamsClient'],
};
// What botocore reports as a connection error: the engine retries "NetworkingError".
const INTERRUPTED = JSON.stringify({ interrupted: true });  // the answer to a step Ctrl-C cut short
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);
const STARTUP_MS = 30000;
// The SDK is pinned, so its notice that later versions need Node 22 changes nothing here, and it
// would be the one line of output Node's commands print and Python's do not.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const STOP_MS = 10000;

/** A service's SDK package, loaded on demand: a command loads only the clients it calls. */
function sdk(service) {
  if (!SERVICES[service]) throw new ParetoError(native.ERROR, `the engine called an unknown service: ${service}`);
  return require(`@aws-sdk/${SERVICES[service][0]}`);
}

/** The profile's region, as the SDK reads the shared config; us-east-1 when it names none. */
function profileRegion(config) {
  const { STSClient } = sdk('sts');
  return new STSClient(config).config.region().catch(() => 'us-east-1');
}

const python = () => process.env.PARETO_PYTHON || 'python3';
/** A run or start step's program: "node" is this one, "python" the one pareto's Python package is in. */
const programOf = (name) => ({ node: process.execPath, python: python() })[name] ?? name;

/** An SDK answer in the engine's form: timestamps ISO 8601 UTC, binary base64. */
function normalized(value) {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (Array.isArray(value)) return value.map(normalized);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([key]) => key !== '$metadata')
      .map(([key, member]) => [key, normalized(member)]));
  }
  return value;
}

/** The engine's request in the SDK's form: {"$bytes": base64} members as Buffers. */
function request(value) {
  if (Array.isArray(value)) return value.map(request);
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === '$bytes') return Buffer.from(value.$bytes, 'base64');
    return Object.fromEntries(keys.map((key) => [key, request(value[key])]));
  }
  return value;
}

function errorAnswer(error) {
  const status = error.$metadata?.httpStatusCode ?? 0;
  const network = status === 0 && (NETWORK_CODES.has(error.code) || error.name === 'TimeoutError');
  return { error: { code: network ? 'NetworkingError' : String(error.Code ?? error.name ?? 'Error'),
    message: String(error.message ?? error), status } };
}

function writeToProcess(stream, text) {
  (stream === 'stdout' ? process.stdout : process.stderr).write(text);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    }).on('error', reject);
  });
}

function listening(port) {
  return new Promise((resolve) => {
    const probe = net.connect(port, '127.0.0.1', () => { probe.end(); resolve(true); })
      .on('error', () => resolve(false));
  });
}

const running = (server) => server.pid !== undefined && server.exitCode === null && server.signalCode === null;

async function stop(server) {
  if (!running(server)) return;
  const exited = once(server, 'exit');
  server.kill('SIGTERM');
  const kill = setTimeout(() => server.kill('SIGKILL'), STOP_MS);
  await exited;
  clearTimeout(kill);
}

/**
 * Performs one flow's steps. `app`: the app to lend for a "load" step (library calls), else
 * loaded from the step's path; `write(stream, text)`: where output goes (default: the process's).
 */
class Host {
  constructor({ app = null, write = writeToProcess, interactive = process.stdin.isTTY === true } = {}) {
    // ANSI colours in what pareto dev says, on a terminal that has not opted out
    this.colour = write === writeToProcess && process.stderr.isTTY === true && !('NO_COLOR' in process.env);
    this.app = app;
    this.lent = app !== null;  // a library call's app, lent as its caller loaded it
    this.stage = null;  // the stage the app this host loaded is for
    this.write = write;
    this.interactive = interactive;
    this.config = null;
    this.clients = new Map();
    this.emulators = [];  // stopped when the flow ends
    this.incoming = null;  // pareto dev's servers and processes, closed when the flow ends
    this.aborts = new AbortController();  // interrupt(): every pending step gives up
  }

  interrupt() { this.aborts.abort(); }

  /** Runs a command line to its end: [exit status, result]. */
  run(argv) {
    return this.runRequest({ argv: [...argv], host: 'node', aws: true, interactive: this.interactive,
      colour: this.colour, now_ms: Date.now(), seed: Math.floor(Math.random() * 2 ** 53) });
  }

  /** Runs a flow of pareto_flow_start's request to its end: [exit status, result]. */
  async runRequest(start) {
    const [started, flow] = native.start_flow(JSON.stringify(start));
    check(started);
    try {
      let answer = 'null';
      for (;;) {
        const [status, text] = flow.next(answer);
        check(status);
        const step = JSON.parse(text);
        if (step.step === 'done') return [step.exit, step.result];
        try {
          const result = await this.perform(step, flow);
          this.aborts.signal.throwIfAborted();
          answer = JSON.stringify(result ?? null);
        } catch (error) {
          if (!this.aborts.signal.aborted) throw error;
          this.aborts = new AbortController();  // Ctrl-C: the core says where that leaves things
          answer = INTERRUPTED;
        }
      }
    } finally {
      if (this.incoming) await this.incoming.close();
      await Promise.all(this.emulators.map(stop));
    }
  }

  async perform(step, flow) {
    const { signal } = this.aborts;
    switch (step.step) {
      case 'write':
        this.write(step.stream, step.text);
        return null;
      case 'wait': return sleep(step.milliseconds, null, { signal });
      case 'ask': return this.ask(step);
      case 'load': return this.load(step, flow);
      case 'connect': return this.connect(step);
      case 'call': return this.call(step.service, step.operation, step.params);
      case 'upload': {
        const [status, data] = flow.blob();
        check(status);
        return this.call('s3', 'PutObject', { Bucket: step.bucket, Key: step.key }, { Body: data });
      }
      case 'emulator': return this.emulator(Boolean(step.keep));
      case 'run': return this.process(step);
      case 'tool': return this.tool(step.name);
      case 'serve': case 'start': case 'incoming': case 'respond': case 'fetch':
        this.incoming ??= new Incoming(programOf);
        return this.incoming.perform(step, signal);
      default: throw new ParetoError(native.ERROR, `the engine asked for an unknown step: ${step.step}`);
    }
  }

  async ask({ question, secret }) {
    const readline = require('node:readline/promises');
    // A secret is typed into an output that shows nothing.
    const output = secret ? new Writable({ write: (chunk, encoding, done) => done() }) : process.stderr;
    const prompt = readline.createInterface({ input: process.stdin, output, terminal: process.stdin.isTTY === true });
    prompt.on('SIGINT', () => this.interrupt());  // a terminal's Ctrl-C reaches readline, not the process
    const closed = once(prompt, 'close').then(() => '');
    try {
      if (secret) process.stderr.write(question);
      const asked = prompt.question(secret ? '' : `${question} [y/N] `, { signal: this.aborts.signal });
      const answer = await Promise.race([asked, closed]);
      return secret ? answer : ['y', 'yes'].includes(answer.trim().toLowerCase());
    } finally {
      prompt.close();
      if (secret) process.stderr.write('\n');
    }
  }

  load(step, flow) {
    if (this.app === null || step.again || (!this.lent && (step.stage ?? null) !== this.stage)) {
      this.stage = step.stage ?? null;
      let kinds;
      try {
        kinds = step.kinds.flatMap(kindsInModule);
      } catch (error) {  // a --kinds file that cannot be required
        return { error: { message: `${step.kinds.join(', ')}: ${error.message}` } };
      }
      try {
        this.app = App.load(step.path, { kinds, stage: this.stage });
      } catch (error) {
        if (error instanceof ValidationError) return { errors: error.errors };  // a kind module that cannot be loaded
        // No such app, or a --kinds module's kind is wrong: a usage error.
        if (error.code === 'ENOENT' || error instanceof KindError) return { error: { message: error.message } };
        throw error;
      }
    }
    check(flow.lend(this.app._native));
    return { loaded: true };
  }

  async connect({ profile, region, endpoint, credentials }) {
    const config = { maxAttempts: 1 };  // the engine owns retries (one policy, with jitter, in every host)
    if (profile) config.profile = profile;
    if (endpoint) config.endpoint = endpoint;
    if (credentials) config.credentials = { accessKeyId: credentials.access_key_id, secretAccessKey: credentials.secret_access_key };
    config.region = region || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION
      || await profileRegion(config);
    this.config = config;
    this.clients.clear();
    return { region: config.region };
  }

  client(service) {
    if (!this.clients.has(service)) {
      const pathStyle = service === 's3' && this.config.endpoint ? { forcePathStyle: true } : {};
      this.clients.set(service, new (sdk(service)[SERVICES[service][1]])({ ...this.config, ...pathStyle }));
    }
    return this.clients.get(service);
  }

  async call(service, operation, params, raw = {}) {
    const client = this.client(service);
    const Command = sdk(service)[`${operation}Command`];
    if (!Command) throw new ParetoError(native.ERROR, `the engine called an unknown operation: ${service} ${operation}`);
    let response;
    try {
      response = await client.send(new Command({ ...request(params), ...raw }), { abortSignal: this.aborts.signal });
      // S3 GetObject's body is a stream.
      if (typeof response.Body?.transformToByteArray === 'function') response.Body = await response.Body.transformToByteArray();
    } catch (error) {
      this.aborts.signal.throwIfAborted();
      return errorAnswer(error);
    }
    return { response: normalized(response) };
  }

  /** moto's server (python -m pareto.moto_server) on a free loopback port, as local.py starts it. */
  async emulator(keep) {
    const port = await freePort();
    const server = spawn(python(), ['-m', 'pareto.moto_server', '-H', '127.0.0.1', '-p', String(port)],
      { stdio: ['ignore', keep ? 'ignore' : 'pipe', keep ? 'ignore' : 'pipe'], detached: keep });
    this.emulators.push(server);
    let log = '';  // read all along: a full pipe would stall the server
    for (const stream of [server.stdout, server.stderr]) stream?.on('data', (chunk) => { log = (log + chunk).slice(-2000); });
    server.on('error', (error) => { log = error.message; });
    const deadline = Date.now() + STARTUP_MS;
    while (!(await listening(port))) {
      if (!running(server) || Date.now() > deadline) {
        return { error: { message: `moto's server did not start on port ${port}: ${log.trim()}` } };
      }
      await sleep(50, null, { signal: this.aborts.signal });
    }
    if (keep) {  // it goes on running on its own
      this.emulators.pop();
      server.unref();
    }
    return { endpoint: `http://127.0.0.1:${port}` };
  }

  /** npm beside this node, known without starting it; the core asks any other tool. */
  tool(name) {
    if (name !== 'npm') return null;
    const npm = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm');
    try {
      const { version } = JSON.parse(fs.readFileSync(path.join(npm, 'package.json'), 'utf8'));
      const cli = path.join(npm, 'bin', 'npm-cli.js');
      return fs.existsSync(cli) ? { argv: [process.execPath, cli], version } : null;
    } catch {
      return null;
    }
  }

  /** A process of the engine's (pip, npm, a test run), awaited so that Ctrl-C reaches this host too. */
  async process({ argv, cwd, env, input }) {
    const program = programOf(argv[0]);
    const child = spawn(program, argv.slice(1), { cwd, env: { ...process.env, ...env },
      stdio: [input === undefined ? 'inherit' : 'pipe', 'pipe', 'pipe'], signal: this.aborts.signal });
    if (input !== undefined) {
      child.stdin.on('error', () => {});  // a process that exits without reading its input
      child.stdin.end(input);
    }
    const output = { stdout: '', stderr: '' };  // stdout, then stderr, as Python's host gives them
    for (const name of ['stdout', 'stderr']) child[name].setEncoding('utf8').on('data', (chunk) => { output[name] += chunk; });
    const done = await new Promise((resolve) => {
      child.on('error', (error) => resolve({ error }));
      child.on('close', (code, signal) => resolve({ code, signal }));
    });
    if (done.error?.name === 'AbortError') throw done.error;
    if (done.error) return { exit: 127, output: `cannot run ${program}: ${done.error.message}` };
    const answer = { exit: done.code ?? -os.constants.signals[done.signal], output: output.stdout + output.stderr };
    return answer;
  }
}

/**
 * A library call (App#deploy, ...): resolves to the command's result, or rejects with
 * CommandError carrying what it said when it stopped.
 */
async function command(app, argv, write = writeToProcess) {
  app.validate();
  const [exit, result] = await new Host({ app, write, interactive: false }).run(argv);
  if (exit !== 0) throw new CommandError(exit, result?.error ?? `${argv[0]} failed`);
  return result;
}

/** `pareto`: the core's command line with this host; resolves to the exit status. */
async function main(argv) {
  const host = new Host();
  const interrupt = () => host.interrupt();
  process.on('SIGINT', interrupt);  // each Ctrl-C cuts the step in hand short, as Python's does
  try {
    return (await host.run(argv))[0];
  } finally {
    process.removeListener('SIGINT', interrupt);
  }
}

module.exports = { Host, command, main, normalized, request, errorAnswer, freePort, stop };
