// libFuzzer target: any bytes as an app description, through the C API as a front end calls it —
// load (YAML or JSON), then every output of the app, with the format and stage arguments taken
// from the input's last line so that bad ones are tried too. Crashes, leaks, hangs and runaway
// memory fail the run.
#include <cstddef>
#include <cstdint>
#include <string>

#include "pareto/pareto.h"

namespace {

// Calls an output function and frees what it returns.
template <typename Call>
void take(Call call) {
  char* out = nullptr;
  if (call(&out) == PARETO_OK) pareto_free(out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::string argument = text.substr(text.find_last_of('\n') == std::string::npos
                                         ? text.size()
                                         : text.find_last_of('\n') + 1);
  pareto_app* app = nullptr;
  pareto_app_load(&app, text.data(), text.size(), nullptr);
  if (app) {
    (void)pareto_app_errors(app);
    (void)pareto_app_name(app);
    take([&](char** out) { return pareto_app_synth(app, out); });
    take([&](char** out) { return pareto_app_nested_stacks(app, out); });
    take([&](char** out) { return pareto_app_functions(app, out); });
    for (const char* format : {"dot", "mermaid", argument.c_str()})
      take([&](char** out) { return pareto_app_graph(app, format, out); });
    for (const char* format : {"json", "text", argument.c_str()})
      take([&](char** out) { return pareto_app_budget(app, format, out); });
    for (const char* stage : {"dev", argument.c_str()})
      take([&](char** out) { return pareto_app_rules(app, stage, out); });
    char* data_out = nullptr;
    size_t length = 0;
    if (pareto_app_package(app, &data_out, &length) == PARETO_OK) pareto_free(data_out);
  }
  pareto_app_free(app);
  return 0;
}
