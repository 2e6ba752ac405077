#!/usr/bin/env node
// The `pareto` command from Node: the core's command line (pareto.h, "Commands as flows"), its
// steps performed by lib/host.js.
'use strict';
const { main } = require('../lib/host');

main(process.argv.slice(2)).then((status) => { process.exitCode = status; });
