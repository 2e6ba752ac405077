'use strict';
// Custom component kinds from Node: a kind is a definition (key, the JSON Schema of an entry, the
// fields naming other components) and a synchronous renderer from an entry's request to its
// resources, outputs and grants (README "Custom components"). A module of kinds exports one —
// `module.exports = { key: 'streams', schema: {...}, render(request) {...} }` — or an array of
// them; pareto.yaml names it under "kinds", or App.load({kinds}) and `--kinds` give it. Nothing
// is registered globally: each load gets its own native set of kinds.
const fs = require('node:fs');
const path = require('node:path');
const native = require('./native');
const { ParetoError, ValidationError, formatError, check } = require('./errors');

const DEFINITION = ['key', 'noun', 'suffix', 'schema', 'references', 'variable', 'name_limit'];

class Kind {
  constructor({ render, ...definition }) {
    if (typeof render !== 'function') throw new TypeError(`kind ${definition.key}: render must be a function`);
    for (const name of DEFINITION) if (definition[name] !== undefined) this[name] = definition[name];
    this.render = render;
  }

  /** The definition the core reads (pareto.h, pareto_kinds_add). */
  definition() {
    return Object.fromEntries(DEFINITION.filter((name) => this[name] !== undefined).map((name) => [name, this[name]]));
  }

  /** @private Never throws into the core: a failure is the reason, with where it was thrown. */
  nativeRender(request) {
    try {
      const reply = this.render(JSON.parse(request));
      if (reply && typeof reply.then === 'function') return [false, 'the renderer returned a Promise: renderers are synchronous'];
      return [true, JSON.stringify(reply)];
    } catch (error) {
      const frame = /\(?([^\s()]+):(\d+):\d+\)?/.exec(String(error?.stack).split('\n')[1] || '');
      const where = frame ? ` (${path.basename(frame[1])}:${frame[2]})` : '';
      return [false, `${error?.name || 'Error'}: ${error?.message ?? error}${where}`];
    }
  }
}

class KindError extends ParetoError {
  constructor(message, errors = []) {
    super(native.EINVALID, message);
    this.name = 'KindError';
    this.errors = errors;
  }
}

function asKind(value) {
  return value instanceof Kind ? value : new Kind(value);
}

/** Every kind a CommonJS module exports (one, or an array), freshly required. */
function kindsInModule(file) {
  const resolved = require.resolve(path.resolve(file));
  delete require.cache[resolved];
  const exported = require(resolved);
  return (Array.isArray(exported) ? exported : [exported]).filter((value) => value && typeof value === 'object' && 'key' in value).map(asKind);
}

/** The core's set of these kinds, for one load; KindError naming the first wrong one. */
function nativeKinds(kinds) {
  const [status, handle] = native.new_kinds();
  check(status);
  for (const kind of kinds.map(asKind)) {
    const added = handle.add(JSON.stringify(kind.definition()), (request) => kind.nativeRender(request));
    if (added === native.EINVALID) {
      const errors = JSON.parse(handle.errors());
      throw new KindError(`kind ${JSON.stringify(kind.key)}: ${errors.map(formatError).join('; ')}`, errors);
    }
    check(added);
  }
  return handle;
}

/** A module pareto.yaml names ("kinds/stream") as the file Node requires. */
function moduleFile(base, module) {
  if (/\.c?js$/.test(module)) return path.join(base, module);
  return ['.js', '.cjs'].map((ext) => path.join(base, module + ext)).find((file) => fs.existsSync(file))
    ?? path.join(base, `${module}.js`);
}

function modulesError(source, index, message, checkId) {
  return new ValidationError([{ file: source, path: `/kinds/${index}`, line: 0, column: 0, message, check: checkId }]);
}

/**
 * Loads through `load(native kinds or null)` with the given kinds, and again with the kinds of
 * the modules the app names under "kinds" once it says which they are.
 */
function loadWithKinds(load, given, base, source) {
  const [status, handle] = load(given.length ? nativeKinds(given) : null);
  if (!handle) return [status, handle];
  const modules = JSON.parse(handle.kind_modules()[1] || '[]');
  if (!modules.length) return [status, handle];
  if (base === null) throw modulesError(source, 0, 'kind modules are found beside the app: load it from its path, or give baseDir', 'E1005');
  const found = [...given];
  modules.forEach((module, index) => {
    const file = moduleFile(base, module);
    if (!fs.existsSync(file)) throw modulesError(source, index, `no Node module ${path.relative(base, file)} beside the app`, 'E1005');
    let kinds;
    try {
      kinds = kindsInModule(file);
    } catch (error) {
      const frame = /([^\s()]+?):(\d+):\d+/.exec(String(error?.stack).split('\n').find((line) => line.includes(file)) || '');
      const where = frame ? `${frame[1]}:${frame[2]}: ` : `${file}: `;
      throw modulesError(source, index, `${where}${error?.name || 'Error'}: ${error?.message ?? error}`, 'E3012');
    }
    if (!kinds.length) throw modulesError(source, index, `${path.relative(base, file)} exports no kind ({key, schema, render})`, 'E3012');
    found.push(...kinds);
  });
  return load(nativeKinds(found));
}

module.exports = { Kind, KindError, kindsInModule, loadWithKinds };
