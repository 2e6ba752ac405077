'use strict';
// The SWIG-generated Node-API module over pareto.h (bindings/pareto.i); private to the package.
// A module built here (build/Release: a checkout, or a platform without a prebuilt) comes first,
// then the prebuilt one the npm tarball carries (prebuilds/<platform>-<arch>).
//
// Loaded with RTLD_DEEPBIND where the platform has it: Node exports its own zlib (Chromium's,
// whose deflate output differs), and without it the core's libzip would compress with that one
// — the code archive's bytes would then differ from Python's.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const candidates = [path.join(root, 'build', 'Release', '_pareto.node'),
  path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, '_pareto.node')];
const file = candidates.find((candidate) => fs.existsSync(candidate)) ?? candidates[0];
const { RTLD_NOW = 0, RTLD_DEEPBIND = 0 } = os.constants.dlopen;
const loaded = { exports: {} };
process.dlopen(loaded, file, RTLD_NOW | RTLD_DEEPBIND);
module.exports = loaded.exports;
