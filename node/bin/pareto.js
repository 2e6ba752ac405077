#!/usr/bin/env node
// The `pareto` command from Node: validate, synth, graph, budget, package, match; diff, deploy, outputs,
// destroy with the AWS SDK for JavaScript v3.
//
// Exit status: 0 on success, 1 when the app description has errors (one
// `file:line:column: /path: message [check]` line each on stderr) or an event matches no rule,
// 2 on usage errors. Never a stack trace for bad input.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { Command, CommanderError } = require('commander');
const pareto = require('../lib');

const EXIT_INVALID = 1;
const EXIT_USAGE = 2;

class UsageError extends Error {}

/** Writes next to the target and renames: a failed run never leaves half a file. */
function writeAtomically(file, data) {
  const partial = `${file}.partial`;
  try {
    fs.writeFileSync(partial, data);
    fs.renameSync(partial, file);
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw error;
  }
}

function writeOutput(data, output) {
  if (output === undefined || output === '-') process.stdout.write(data);
  else writeAtomically(output, data);
}

/** The template, and beside it (FILE.json -> FILE.Stack01.json) each nested stack's. */
function synth(app, output) {
  const nested = app.nestedStacks();
  if (output === undefined || output === '-') {
    if (nested.length) console.error(`the app needs ${nested.length} nested stacks; -o FILE writes their templates beside FILE`);
  } else {
    const { dir, name, ext } = path.parse(output);
    for (const stack of nested) writeOutput(stack.template, path.join(dir, `${name}.${stack.name}${ext}`));
  }
  writeOutput(app.templateJson(), output);
}

/** The app at `where`, valid, loaded with the kinds of `kindModules` (--kinds) too. */
function loadValid(where, kindModules = []) {
  let app;
  try {
    app = pareto.App.load(where, { kinds: kindModules.flatMap((file) => pareto.kindsInModule(file)) });
  } catch (error) {
    if (error.code === 'ENOENT') throw new UsageError(error.message);
    throw error;
  }
  app.validate();
  return app;
}

/** JSON given inline ({...}), as a file path, or as "-" for standard input. */
function jsonArgument(text) {
  if (/^\s*[[{]/.test(text)) return text;
  if (text === '-') return fs.readFileSync(0, 'utf8');
  try {
    return fs.readFileSync(text, 'utf8');
  } catch {
    throw new UsageError(`${text}: no such file, and not inline JSON`);
  }
}

function program(done) {
  // Each action's status (0 or EXIT_INVALID) reaches main through `done`.
  const act = (fn) => (...args) => done(fn(...args) ?? 0);
  const cli = new Command('pareto')
    .description('validate, synthesize and package a serverless AWS app described in pareto.yaml')
    .version(pareto.version)
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  cli.command('validate').argument('[app]', 'pareto.yaml or its folder', '.')
    .option('--json', 'print the errors as JSON')
    .description('check the app description; every error with its place')
    .action(act((where, options) => {
      if (options.json) {
        const app = pareto.App.load(where, { kinds: options.kinds.flatMap((file) => pareto.kindsInModule(file)) });
        process.stdout.write(`${JSON.stringify(app.errors, null, 2)}\n`);
        return app.valid ? 0 : EXIT_INVALID;
      }
      console.log(`${loadValid(where, options.kinds).name}: valid`);
      return 0;
    }));
  cli.command('synth').argument('[app]', 'pareto.yaml or its folder', '.')
    .option('-o, --output <file>', 'write the template here (and its nested stacks\' beside it) instead of to stdout')
    .description('print the CloudFormation template')
    .action(act((where, options) => synth(loadValid(where, options.kinds), options.output)));
  cli.command('budget').argument('[app]', 'pareto.yaml or its folder', '.')
    .option('--json', 'print them as a JSON array')
    .description('every AWS quota the app uses, with the config entry that costs it, least headroom first')
    .action(act((where, options) => {
      const app = loadValid(where, options.kinds);
      writeOutput(options.json ? `${JSON.stringify(app.budget(), null, 2)}\n` : app.budget('text'));
    }));
  cli.command('graph').argument('[app]', 'pareto.yaml or its folder', '.')
    .option('--format <format>', 'mermaid or dot', 'mermaid')
    .option('-o, --output <file>', 'write the diagram here instead of to stdout')
    .description("draw the app's components and how they are bound")
    .action(act((where, options) => {
      if (!['mermaid', 'dot'].includes(options.format)) throw new UsageError(`--format: mermaid or dot, not ${options.format}`);
      writeOutput(loadValid(where, options.kinds).graph(options.format), options.output);
    }));
  cli.command('package').argument('[app]', 'pareto.yaml or its folder', '.')
    .option('-o, --output <file>', 'where to write the archive (default: <app>.zip)')
    .description("write the code archive (the same bytes as the Python command's)")
    .action(act((where, options) => {
      const app = loadValid(where, options.kinds);
      const archive = app.package();
      const output = options.output || `${app.name}.zip`;
      writeAtomically(output, archive.data);
      console.log(`${output}: ${archive.data.length.toLocaleString('en-US')} bytes, sha256 ${archive.sha256}`);
    }));
  cli.command('match').argument('<pattern-or-event...>', 'PATTERN EVENT, or EVENT with --rules')
    .option('--rules <app>', "match against the app's event rules as deployed")
    .option('--stage <stage>', 'the stage the rules are deployed to', 'dev')
    .description('does an EventBridge pattern match an event? exit 0 if so, 1 if not')
    .action(act((args, options) => {
      if (options.rules) {
        if (args.length !== 1) throw new UsageError('with --rules, give only EVENT');
        const deployed = loadValid(options.rules).rules(options.stage);
        for (const [id, why] of Object.entries(deployed.skipped)) console.log(`${id}: skipped: ${why}`);
        const fired = new pareto.Rules(deployed.rules).match(jsonArgument(args[0]));
        console.log(fired.length ? fired.join('\n') : 'no rule matches');
        return fired.length ? 0 : EXIT_INVALID;
      }
      if (args.length !== 2) throw new UsageError('give PATTERN and EVENT, or --rules APP and EVENT');
      const [pattern, event] = args.map(jsonArgument);
      const matched = pareto.compile(JSON.parse(pattern)).matches(event);
      console.log(matched ? 'match' : 'no match');
      return matched ? 0 : EXIT_INVALID;
    }));
  const aws = (command) => command.argument('[app]', 'pareto.yaml or its folder', '.')
    .requiredOption('--stage <stage>', 'the stage: the stack is <app>-<stage>')
    .option('--region <region>', 'the AWS region (default: AWS_REGION)')
    .option('--endpoint-url <url>', 'an emulator instead of AWS (also PARETO_ENDPOINT_URL)')
    .option('--parameter <key=value>', 'a template parameter (repeatable)', parameter, {});
  aws(cli.command('diff')).description('show the change set a deploy would execute')
    .action(act(async (where, options) => {
      await loadValid(where, options.kinds).diff(stackOptions(options));
    }));
  aws(cli.command('deploy')).description('deploy through a change set, with live progress')
    .option('--allow-replace', 'replace tables, buckets, queues or user pools if the change needs to')
    .option('-y, --yes', 'do not ask before executing the change set')
    .action(act(async (where, options) => {
      const outputs = await loadValid(where, options.kinds).deploy({ ...stackOptions(options), allowReplace: options.allowReplace,
        confirm: options.yes || !process.stdin.isTTY ? undefined : ask });
      printOutputs(outputs);
    }));
  aws(cli.command('outputs')).description("print the deployed stack's outputs")
    .action(act(async (where, options) => printOutputs(await loadValid(where, options.kinds).outputs(stackOptions(options)))));
  aws(cli.command('destroy')).description("empty the stack's buckets and delete the stack")
    .option('-y, --yes', 'do not ask first')
    .action(act(async (where, options) => {
      const app = loadValid(where, options.kinds);
      if (!options.yes && process.stdin.isTTY && !(await ask(null, `delete ${app.name}-${options.stage}?`))) {
        throw new UsageError('cancelled');
      }
      await app.destroy(stackOptions(options));
    }));
  for (const command of cli.commands.filter((c) => c.name() !== 'match')) {
    command.option('--kinds <module>', 'a CommonJS file of custom component kinds to load the app with (besides the modules its "kinds" key names); repeatable',
      (file, all) => [...all, file], []);
  }
  return cli;
}

function parameter(text, all) {
  const equals = text.indexOf('=');
  if (equals < 1) throw new UsageError(`--parameter: expected KEY=VALUE, got ${text}`);
  return { ...all, [text.slice(0, equals)]: text.slice(equals + 1) };
}

function stackOptions(options) {
  return { stage: options.stage, region: options.region, parameters: options.parameter,
    endpoint: options.endpointUrl || process.env.PARETO_ENDPOINT_URL, onEvent: show };
}

async function ask(changeSet, question = 'execute the change set?') {
  const readline = require('node:readline/promises');
  const prompt = readline.createInterface({ input: process.stdin, output: process.stdout });
  const answer = await prompt.question(`${question} [y/N] `);
  prompt.close();
  return /^y(es)?$/i.test(answer.trim());
}

function printOutputs(outputs) {
  for (const [key, value] of Object.entries(outputs)) console.log(`${key} = ${value}`);
}

/** Progress and tables, as the Python command prints them. */
function show(event) {
  if (event.type === 'change-set') {
    const { changeSet } = event;
    if (!changeSet.changes.length) {
      console.log('no changes');
      return;
    }
    const Table = require('cli-table3');
    const table = new Table({ head: ['resource', 'type', 'action', 'replacement'], style: { head: [], border: [] } });
    const labels = { True: 'yes', False: 'no', Conditional: 'conditional' };
    for (const c of changeSet.changes) table.push([c.logicalId, c.resourceType, c.action, labels[c.replacement] || '']);
    console.log(table.toString());
    for (const statement of changeSet.widened) console.log(`IAM widens: ${statement}`);
  } else if (event.type === 'resource') {
    const count = `[${String(event.done).padStart(3)}/${event.total}]`;
    console.log(`${count} ${event.status.padEnd(28)} ${event.logicalId} ${event.resourceType} ${event.reason}`.trimEnd());
  } else if (event.type === 'failure') {
    console.error(`failed: ${event.message}`);
  } else {
    console.log(event.message);
  }
}

async function main(argv) {
  let status = 0;
  try {
    const cli = program((result) => { status = result; });
    cli.commands.forEach((command) => command.exitOverride());
    await cli.parseAsync(argv, { from: 'user' });
    return await status;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
    if (error instanceof pareto.ValidationError) {
      for (const e of error.errors) process.stderr.write(`${pareto.formatError(e)}\n`);
      return EXIT_INVALID;
    }
    if (error.name === 'DeployError') {
      process.stderr.write(`pareto: ${error.message}\n`);
      return EXIT_INVALID;
    }
    if (error instanceof UsageError || error instanceof TypeError || error instanceof SyntaxError) {
      process.stderr.write(`pareto: ${error.message}\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`pareto: ${error.message}\n`);
    return EXIT_INVALID;
  }
}

if (require.main === module) main(process.argv.slice(2)).then((status) => { process.exitCode = status; });
module.exports = { main };
