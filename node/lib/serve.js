'use strict';
// pareto dev's side of the host: HTTP servers on loopback whose requests wait until the core
// answers them, handlers' processes that end on their own time, and the lines typed at the
// terminal, all delivered by one "incoming" step ("serve", "start", "incoming", "respond" and
// "fetch" steps, pareto.h). python/src/pareto/_serve.py is its twin.
const http = require('node:http');
const os = require('node:os');
const readline = require('node:readline');
const { spawn } = require('node:child_process');

const UNANSWERED = { status: 503, headers: { 'Content-Type': 'application/json' },
  body: Buffer.from('{"message": "pareto dev stopped"}').toString('base64') };
const FETCH_MILLISECONDS = 10000;  // the emulator answers on loopback
const OWN_HEADERS = new Set(['content-length', 'connection', 'transfer-encoding']);

class Incoming {
  /** `programOf(name)`: a start step's argv[0] as this host runs it. */
  constructor(programOf) {
    this.programOf = programOf;
    this.events = [];  // waiting for an incoming step
    this.waiter = null;  // the incoming step waiting for an event
    this.pending = new Map();  // request id → the response's writer
    this.nextId = 1;
    this.servers = [];
    this.children = new Set();
    this.lines = null;  // stdin's, once asked for
  }

  perform(step, signal) {
    switch (step.step) {
      case 'serve': return this.serve(step.name, step.port);
      case 'start': return this.start(step);
      case 'incoming': return this.incoming(step.milliseconds, Boolean(step.lines), signal);
      case 'fetch': return this.fetch(step.url);
      default: this.respond(step); return null;
    }
  }

  serve(name, port) {
    const server = http.createServer((request, response) => {
      const chunks = [];
      request.on('data', (chunk) => chunks.push(chunk));
      request.on('end', () => {
        const id = this.nextId++;
        this.pending.set(id, (answer) => {
          const data = Buffer.from(answer.body, 'base64');
          const headers = Object.fromEntries(Object.entries(answer.headers)
            .filter(([key]) => !OWN_HEADERS.has(key.toLowerCase())).map(([k, v]) => [k, String(v)]));
          response.writeHead(answer.status, { ...headers, 'Content-Length': data.length });
          response.end(data);
        });
        const headers = [];
        for (let i = 0; i < request.rawHeaders.length; i += 2) headers.push([request.rawHeaders[i], request.rawHeaders[i + 1]]);
        this.arrive({ request: { id, server: name, method: request.method, target: request.url, headers,
          body: Buffer.concat(chunks).toString('base64') } });
      });
    });
    return new Promise((resolve) => {
      server.once('error', (error) => resolve({ error: { message: error.message } }));
      server.listen(port, '127.0.0.1', () => {
        this.servers.push(server);
        resolve({ port: server.address().port });
      });
    });
  }

  start({ argv, cwd, env, input }) {
    const program = this.programOf(argv[0]);
    const process_ = this.nextId++;
    const started = Date.now();
    return new Promise((resolve) => {
      const child = spawn(program, argv.slice(1), { cwd, env: { ...process.env, ...env }, stdio: 'pipe' });
      const output = { stdout: '', stderr: '' };
      for (const name of ['stdout', 'stderr']) child[name].setEncoding('utf8').on('data', (chunk) => { output[name] += chunk; });
      child.once('error', (error) => resolve({ error: { message: `cannot run ${program}: ${error.message}` } }));
      child.once('spawn', () => {
        this.children.add(child);
        child.stdin.on('error', () => {});  // a process that exits without reading its input
        child.stdin.end(input ?? '');
        resolve({ process: process_ });
      });
      child.once('close', (code, signal) => {
        this.children.delete(child);
        if (child.pid === undefined) return;  // it never started: the error said so
        // as Python's returncode says it: a signal's number, negated
        this.arrive({ exited: { process: process_, exit: code ?? -os.constants.signals[signal], ...output,
          milliseconds: Date.now() - started } });
      });
    });
  }

  arrive(event) {
    if (this.waiter) {
      const wake = this.waiter;
      this.waiter = null;
      wake(event);
    } else {
      this.events.push(event);
    }
  }

  async incoming(milliseconds, lines, signal) {
    if (lines && !this.lines) {
      this.lines = readline.createInterface({ input: process.stdin, terminal: false });
      this.lines.on('line', (line) => this.arrive({ line }));
    }
    let event = this.events.shift();
    if (!event) {
      event = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => { this.waiter = null; resolve({}); }, milliseconds);
        this.waiter = (got) => { clearTimeout(timer); resolve(got); };
        signal.addEventListener('abort', () => { clearTimeout(timer); this.waiter = null; reject(signal.reason); }, { once: true });
      });
    }
    return { now_ms: Date.now(), ...event };
  }

  async fetch(url) {
    try {
      const answer = await fetch(url, { signal: AbortSignal.timeout(FETCH_MILLISECONDS) });
      return { status: answer.status, body: await answer.text() };
    } catch (error) {
      return { error: { message: `cannot fetch ${url}: ${error.message}` } };
    }
  }

  respond(step) {
    const write = this.pending.get(step.id);
    this.pending.delete(step.id);
    if (write) write(step);
  }

  async close() {
    if (this.lines) {
      this.lines.close();
      process.stdin.destroy();  // else a pipe held open keeps this process alive
    }
    for (const child of this.children) child.kill('SIGKILL');
    for (const write of this.pending.values()) write(UNANSWERED);
    this.pending.clear();
    await Promise.all(this.servers.map((server) => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    })));
  }
}

module.exports = { Incoming };
