'use strict';
const native = require('./native');

const STATUS_NAMES = { [-1]: 'ERROR', [-2]: 'EINVALID', [-3]: 'ENOMEM', [-4]: 'EARG', [-5]: 'EIO' };

/** A failure the core reported as a status code. */
class ParetoError extends Error {
  constructor(status, message = native.strerror(status)) {
    super(message);
    this.name = 'ParetoError';
    this.status = status;
    this.code = STATUS_NAMES[status] || 'ERROR';
  }
}

/** The app description (or a pattern) has errors: `.errors` lists them all, with their paths. */
class ValidationError extends ParetoError {
  constructor(errors) {
    super(native.EINVALID, formatErrors(errors));
    this.name = 'ValidationError';
    this.errors = errors;
  }
}

/** A command the engine ran did not succeed (a deploy that failed, a stack that is not there):
 * the message is what it said last, `exit` its status. */
class CommandError extends ParetoError {
  constructor(exit, message) {
    super(native.ERROR, message);
    this.name = 'CommandError';
    this.exit = exit;
  }
}

/** One error as a line: "pareto.yaml:3:5: /actions/0/timeout: ... [E2002]". */
function formatError(error) {
  const where = error.line ? `${error.file}:${error.line}:${error.column}: ` : error.file ? `${error.file}: ` : '';
  return `${where}${error.path || '/'}: ${error.message} [${error.check}]`;
}

function formatErrors(errors) {
  return errors.map(formatError).join('\n');
}

/** Throws a ParetoError for a failing status. */
function check(status) {
  if (status < 0) throw new ParetoError(status);
}

module.exports = { ParetoError, ValidationError, CommandError, formatError, check };
