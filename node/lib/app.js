'use strict';
// App: a loaded pareto.yaml, over the core's C API (through the generated native module).
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const native = require('./native');
const { ParetoError, ValidationError, check } = require('./errors');
const { loadWithKinds } = require('./kinds');

function text(value, what) {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string, not ${typeof value}`);
  if (!value.isWellFormed()) throw new TypeError(`${what} is not well-formed UTF-16 (a lone surrogate)`);
  return value;
}

/** The code archive: zip bytes named by their content hash. */
class Archive {
  constructor(data) {
    this.data = data;
    this.sha256 = crypto.createHash('sha256').update(data).digest('hex');
    Object.freeze(this);
  }
}

function stageOf(stage) {
  if (stage !== null && typeof stage !== 'string') throw new TypeError('stage must be a string or null');
  return stage;
}

class App {
  /** @private */
  constructor(handle, baseDir) {
    this._native = handle;
    /** The folder that holds the handler sources (null: sources were not read). */
    this.baseDir = baseDir;
    Object.freeze(this);
  }

  /**
   * Loads a pareto.yaml (.yml, .json), or the folder holding one, with the custom kinds given
   * and those of the modules its "kinds" key names, as `stage` sets it (null: the app's own
   * settings).
   */
  static load(pathOrDir, { kinds = [], stage = null } = {}) {
    const where = text(pathOrDir, 'the path');
    const chosen = stageOf(stage);
    const dir = fs.statSync(where, { throwIfNoEntry: false })?.isDirectory() ? where : path.dirname(where);
    const [status, handle] = loadWithKinds((nativeKinds) => native.load_path(where, nativeKinds, chosen), kinds, dir, where);
    if (status === native.EIO) {
      const error = new ParetoError(status, `${where}: no such file, or no pareto.yaml in that folder`);
      error.code = 'ENOENT';
      throw error;
    }
    if (status !== native.EINVALID) check(status);
    return new App(handle, dir);
  }

  /**
   * Loads YAML 1.2 or JSON text; handler sources and kind modules are read from baseDir when
   * given; `stage` chooses whose settings apply (null: the app's own).
   */
  static fromText(source, { sourceName = '<input>', baseDir = null, kinds = [], stage = null } = {}) {
    const chosen = stageOf(stage);
    const [status, handle] = loadWithKinds((nativeKinds) => native.load(text(source, 'the text'),
      text(sourceName, 'sourceName'), baseDir === null ? null : text(baseDir, 'baseDir'), nativeKinds, chosen),
    kinds, baseDir, sourceName);
    if (status !== native.EINVALID) check(status);
    return new App(handle, baseDir);
  }

  /** Loads an app description given as an object (what JSON.parse of a pareto.json gives). */
  static fromObject(config, options = {}) {
    if (config === null || typeof config !== 'object' || Array.isArray(config)) {
      throw new TypeError('the app description must be an object');
    }
    let json;
    try {
      json = JSON.stringify(config);
    } catch (error) {
      throw new TypeError(`the app description must be JSON-serializable: ${error.message}`);
    }
    return App.fromText(json, { sourceName: '<object>', ...options });
  }

  get name() { return this._native.name(); }

  /** The stage whose settings it was loaded with (null: the app's own); the commands' default
   * stage when set, 'dev' otherwise. */
  get stage() { return this._native.stage() || null; }

  /** Every error: [{file, path, line, column, message, check}]. */
  get errors() { return JSON.parse(this._native.errors()); }

  get valid() { return this.errors.length === 0; }

  /** Throws ValidationError, with all the errors, unless the app is valid. */
  validate() {
    const errors = this.errors;
    if (errors.length) throw new ValidationError(errors);
  }

  /** The template's exact bytes, as the native `pareto synth` prints them. */
  templateJson() {
    this.validate();
    const [status, json] = this._native.synth();
    check(status);
    return json;
  }

  /** The CloudFormation template as an object. */
  synth() { return JSON.parse(this.templateJson()); }

  /**
   * The quotas the app uses, least headroom first: [{quota, subject, used, limit, headroom,
   * entry}] ('json'), or an aligned table ('text').
   */
  budget(format = 'json') {
    if (format !== 'json' && format !== 'text') {
      throw new TypeError(`budget format must be json or text, not ${JSON.stringify(format)}`);
    }
    this.validate();
    const [status, text] = this._native.budget(format);
    check(status);
    return format === 'json' ? JSON.parse(text) : text;
  }

  /**
   * The nested stacks of an app past one stack's quotas, [] when it fits one: {name (its
   * logical id in the parent), key (where a deploy uploads it in the artifacts bucket),
   * template (its text, to write byte for byte)}.
   */
  nestedStacks() {
    this.validate();
    const [status, json] = this._native.nested_stacks();
    check(status);
    return JSON.parse(json);
  }

  /** The code folders: the actions' handlers, then the builders' sources. */
  get functions() {
    const [status, json] = this._native.functions();
    check(status);
    return JSON.parse(json);
  }

  /** The diagram as Mermaid ("mermaid") or Graphviz ("dot") text. */
  graph(format = 'mermaid') {
    if (format !== 'mermaid' && format !== 'dot') {
      throw new TypeError(`graph format must be mermaid or dot, not ${JSON.stringify(format)}`);
    }
    this.validate();
    const [status, diagram] = this._native.graph(format);
    check(status);
    return diagram;
  }

  /** The app's event rules as deployed to `stage`: {rules: {id: pattern}, skipped: {id: why}}. */
  rules(stage = this.stage ?? 'dev') {
    this.validate();
    const [status, json] = this._native.rules(text(stage, 'the stage'));
    check(status);
    return JSON.parse(json);
  }

  /**
   * The archive of the action or builder `name` the core writes (the same bytes as from Python),
   * with the dependencies installed in `dependencies` (default: the build cache's, as `pareto
   * package` leaves it).
   */
  package(name, dependencies = '') {
    this.validate();
    if (this.baseDir === null) throw new TypeError('the app was not loaded from a folder: there are no sources to package');
    const [status, data] = this._native.package(text(name, 'the name'), text(dependencies, 'the dependencies folder'));
    if (status === native.EARG) throw new ParetoError(status, `${this.name} has no action or builder ${JSON.stringify(name)}`);
    if (status === native.EIO) throw new ParetoError(status, `${this.name}: ${name}: a source file could not be read, or its dependencies are not built (pareto package builds them)`);
    check(status);
    return new Archive(data);
  }

  // --- the commands that reach AWS, through the core's engine (lib/host.js) ---------------------
  // Options of each: {stage (default: the app's stage, or 'dev'), region, profile, endpoint, local (moto's server, started for
  // the call), parameters ({key: value}), allowReplace, allowDelete (a table, bucket, queue, user
  // pool or secret may leave the stack, retained ones staying in the account; time to live or a
  // lifecycle expiry may be turned on for what is deployed), deleteData (destroy),
  // hotswap (deploy: only functions' code changed, so update it directly, without a change set),
  // write ((stream, text) => void: the progress; default the process's stdout and stderr)}. A
  // failure rejects with CommandError; so does a deploy that would remove or replace what holds
  // data without the flag, the stack unchanged.

  /** Deploys the stack <app>-<stage>; resolves to its outputs. */
  deploy(options) { return command(this, 'deploy', ['--yes'], options); }

  /** What a deploy would change, changing nothing: {changes: [{logical_id, type, action,
   * replacement}], widened: ['LogicalId: statement'], overridden: [the logical ids the app's
   * overrides patch]}. */
  diff(options) { return command(this, 'diff', [], options); }

  /** The deployed stack's outputs. */
  outputs(options) { return command(this, 'outputs', [], options); }

  /** Deletes the stack; its retained tables, buckets, user pools and secrets stay, with their
   * data, unless deleteData. Resolves to {kept: [{logical_id, type, physical_id}], deleted:
   * [physical ids]}. */
  destroy(options) { return command(this, 'destroy', ['--yes'], options); }
}

/** A command line for the engine, run by the host with this app lent to it. */
function command(app, name, flags, { stage = app.stage ?? 'dev', region, profile, endpoint, local, parameters = {},
  allowReplace, allowDelete, deleteData, hotswap, write } = {}) {
  const argv = [name, app.baseDir ?? '.', '--stage', stage, ...flags];
  if (region) argv.push('--region', region);
  if (profile) argv.push('--profile', profile);
  if (endpoint) argv.push('--endpoint-url', endpoint);
  if (local) argv.push('--local');
  if (allowReplace) argv.push('--allow-replace');
  if (allowDelete) argv.push('--allow-delete');
  if (deleteData) argv.push('--delete-data');
  if (hotswap) argv.push('--hotswap');
  for (const [key, value] of Object.entries(parameters)) argv.push('--parameter', `${key}=${value}`);
  return require('./host').command(app, argv, write);  // the host requires App
}

module.exports = { App, Archive };
