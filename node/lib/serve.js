'use strict';
// pareto dev's HTTP servers on loopback: each request waits until the core answers it ("serve",
// "incoming" and "respond" steps, pareto.h). python/src/pareto/_serve.py is its twin.
const http = require('node:http');

const UNANSWERED = { status: 503, headers: { 'Content-Type': 'application/json' },
  body: Buffer.from('{"message": "pareto dev stopped"}').toString('base64') };
const OWN_HEADERS = new Set(['content-length', 'connection', 'transfer-encoding']);

class Servers {
  constructor() {
    this.requests = [];  // waiting for an incoming step
    this.waiter = null;  // the incoming step waiting for a request
    this.pending = new Map();  // id → the response's writer
    this.nextId = 1;
    this.servers = [];
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
        this.arrive({ id, server: name, method: request.method, target: request.url, headers,
          body: Buffer.concat(chunks).toString('base64') });
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

  arrive(request) {
    if (this.waiter) {
      const wake = this.waiter;
      this.waiter = null;
      wake(request);
    } else {
      this.requests.push(request);
    }
  }

  async incoming(milliseconds, signal) {
    let request = this.requests.shift();
    if (!request) {
      request = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => { this.waiter = null; resolve(null); }, milliseconds);
        this.waiter = (got) => { clearTimeout(timer); resolve(got); };
        signal.addEventListener('abort', () => { clearTimeout(timer); this.waiter = null; reject(signal.reason); }, { once: true });
      });
    }
    return request ? { now_ms: Date.now(), request } : { now_ms: Date.now() };
  }

  respond(step) {
    const write = this.pending.get(step.id);
    this.pending.delete(step.id);
    if (write) write(step);
  }

  async close() {
    for (const write of this.pending.values()) write(UNANSWERED);
    this.pending.clear();
    await Promise.all(this.servers.map((server) => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    })));
  }
}

module.exports = { Servers };
