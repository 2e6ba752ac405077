'use strict';
// EventBridge event patterns, matched locally and exactly by the core (the same code the native
// `pareto match` runs): compile a pattern once, match it against many events.
const native = require('./native');
const { ParetoError, ValidationError } = require('./errors');

function json(value, what) {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  let out;
  try {
    out = JSON.stringify(value);
  } catch (error) {
    throw new TypeError(`the ${what} must be JSON-serializable: ${error.message}`);
  }
  if (out === undefined) throw new TypeError(`the ${what} must be JSON-serializable`);
  return out;
}

/** Named patterns compiled together: `match(event)` says which of them fire. */
class Rules {
  constructor(rules) {
    const [status, handle] = native.compile_rules(json(rules, 'rules'));
    if (status !== native.OK && status !== native.EINVALID) throw new ParetoError(status);
    const errors = JSON.parse(handle.errors());
    if (errors.length) throw new ValidationError(errors);
    this._native = handle;
    Object.freeze(this);
  }

  /** The names of the rules the event matches, sorted. */
  match(event) {
    const [status, names] = this._native.match(json(event, 'event'));
    if (status === native.EARG) throw new TypeError('the event is not JSON, or is nested deeper than 1,000 levels');
    if (status < 0) throw new ParetoError(status);
    return JSON.parse(names);
  }
}

/** One compiled pattern; throws ValidationError (every error, with its JSON path) when
 * EventBridge would reject it. */
class Pattern {
  constructor(pattern) {
    const text = json(pattern, 'pattern');
    try {
      JSON.parse(text);
    } catch {
      throw new TypeError('the pattern is not JSON');
    }
    try {
      this._rules = new Rules(`{"pattern": ${text}}`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      throw new ValidationError(error.errors.map((e) => ({ ...e, path: e.path.slice('/pattern'.length) })));
    }
    Object.freeze(this);
  }

  matches(event) { return this._rules.match(event).length > 0; }
}

const compile = (pattern) => new Pattern(pattern);
const match = (pattern, event) => compile(pattern).matches(event);

module.exports = { Rules, Pattern, compile, match };
