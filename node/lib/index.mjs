// The ES module entry: the CommonJS package's exports, by name.
import pareto from './index.js';

export const {
  App, Archive, ParetoError, ValidationError, CommandError, Rules, Pattern, compile, match,
  formatError, Kind, KindError, kindsInModule, version, configSchema,
} = pareto;
export default pareto;
