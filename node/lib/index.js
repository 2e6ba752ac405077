'use strict';
// pareto: a serverless AWS app described in a few lines, as a CloudFormation stack.
//
//   const pareto = require('pareto');
//   const app = pareto.App.load('examples/hello');   // a pareto.yaml, or the folder holding one
//   app.validate();                                   // throws pareto.ValidationError with .errors
//   const template = app.synth();                     // object; app.templateJson() gives the bytes
//   const outputs = await app.deploy({ stage: 'dev' });  // rejects with pareto.CommandError
const native = require('./native');
const { App, Archive } = require('./app');
const { ParetoError, ValidationError, CommandError, formatError } = require('./errors');
const { Rules, Pattern, compile, match } = require('./patterns');
const { Kind, KindError, kindsInModule } = require('./kinds');

module.exports = {
  App, Archive, ParetoError, ValidationError, CommandError, Rules, Pattern, compile, match, formatError,
  Kind, KindError, kindsInModule,
  version: native.version(),
  configSchema: () => JSON.parse(native.config_schema()),
};
