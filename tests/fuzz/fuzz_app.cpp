// libFuzzer target: any bytes as an app description, through the C API as a front end calls it —
// load (YAML or JSON), then every output of a valid app. Crashes, leaks, hangs and runaway
// memory fail the run.
#include <cstddef>
#include <cstdint>

#include "pareto/pareto.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pareto_app* app = nullptr;
  pareto_app_load(&app, reinterpret_cast<const char*>(data), size, nullptr);
  if (app) {
    (void)pareto_app_errors(app);
    char* out = nullptr;
    if (pareto_app_synth(app, &out) == PARETO_OK) pareto_free(out);
    if (pareto_app_graph(app, "dot", &out) == PARETO_OK) pareto_free(out);
    if (pareto_app_rules(app, "dev", &out) == PARETO_OK) pareto_free(out);
    if (pareto_app_functions(app, &out) == PARETO_OK) pareto_free(out);
  }
  pareto_app_free(app);
  return 0;
}
