'use strict';
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
module.exports = {
  ROOT,
  EXAMPLE: path.join(ROOT, 'examples', 'hello'),
  VECTORS: path.join(ROOT, 'tests', 'vectors'),
  NATIVE: path.join(ROOT, 'build', 'libpareto', 'src', 'cli', 'pareto'),
  COMMAND: path.join(ROOT, 'node', 'bin', 'pareto.js'),
  // The Python the test command installed the package into: zips are compared with its.
  PYTHON: process.env.PARETO_PYTHON || path.join(ROOT, '.venv', 'bin', 'python'),
};
