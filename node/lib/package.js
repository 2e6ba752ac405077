'use strict';
const crypto = require('node:crypto');

/** The code archive: zip bytes named by their content hash. */
class Archive {
  constructor(data) {
    this.data = data;
    this.sha256 = crypto.createHash('sha256').update(data).digest('hex');
    Object.freeze(this);
  }

  /** Where the archive lives in the artifacts bucket: unchanged code, unchanged key. */
  key(appName) { return `pareto/${appName}/${this.sha256}.zip`; }
}

module.exports = { Archive };
