// pareto dev: runs one invocation of a Node handler as Lambda would, in a process of its own.
// stdin: {"folder", "module", "function", "event", "context"}; stdout: {"result"} or {"error"};
// the handler's own output goes to stderr, which pareto shows under the invocation's line.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const answer = process.stdout.write.bind(process.stdout);
process.stdout.write = process.stderr.write.bind(process.stderr);
for (const level of ['log', 'info', 'debug']) console[level] = console.error;
const request = JSON.parse(fs.readFileSync(0, 'utf8'));
const deadline = Date.now() + request.context.timeout_ms;

function failure(error) {
  const known = error instanceof Error;
  return {
    errorType: known ? error.name : typeof error,
    errorMessage: known ? error.message : String(error),
    stackTrace: known && error.stack ? error.stack.split('\n').slice(1).map((l) => l.trim()) : [],
  };
}

async function load() {
  const base = path.join(request.folder, request.module);
  for (const extension of ['.js', '.cjs']) {
    if (fs.existsSync(base + extension)) return require(base + extension);
  }
  return import(pathToFileURL(base + '.mjs').href);
}

async function invoke() {
  const facts = request.context;
  const context = {
    functionName: facts.function_name,
    functionVersion: '$LATEST',
    invokedFunctionArn: facts.function_arn,
    memoryLimitInMB: String(facts.memory_mb),
    awsRequestId: facts.request_id,
    logGroupName: facts.log_group,
    logStreamName: facts.log_stream,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  const handler = (await load())[request.function];
  if (typeof handler !== 'function') {
    throw new Error(`${request.module}.${request.function} is not a function`);
  }
  if (handler.length >= 3) {  // a callback handler
    return new Promise((resolve, reject) => {
      handler(request.event, context, (error, result) => (error ? reject(error) : resolve(result)));
    });
  }
  return handler(request.event, context);
}

invoke().then(
  (result) => answer(JSON.stringify({ result: result === undefined ? null : result })),
  (error) => answer(JSON.stringify({ error: failure(error) })),
);
