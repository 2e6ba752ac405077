// libFuzzer target: any bytes as an app description, through the C API as a front end calls it —
// load (YAML or JSON), then every output of the app, with the format and stage arguments taken
// from the input's last line so that bad ones are tried too. A custom kind, "notes", is loaded
// too: its renderer replies with that last line, so that replies of any shape are tried.
// Crashes, leaks, hangs and runaway memory fail the run.
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <string>
#include <string_view>

#include "pareto/pareto.h"

namespace {

const char kNotes[] =
    R"({"key": "notes", "references": {"owner": "actions"}, "variable": true, "name_limit": 64,)"
    R"( "schema": {"properties": {"owner": {"type": "string"}, "text": {"type": "string"}}}})";

// The reply is the input's last line, past a YAML comment's "#" (the seed keeps it there).
pareto_status reply_with(void* argument, const char*, size_t, pareto_reply* reply) {
  std::string_view text = *static_cast<const std::string*>(argument);
  text.remove_prefix(std::min(text.find_first_not_of("# "), text.size()));
  return pareto_reply_set(reply, text.data(), text.size());
}

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
  pareto_kinds* kinds = nullptr;
  pareto_kinds_new(&kinds);
  pareto_kinds_add(kinds, kNotes, sizeof kNotes - 1, reply_with, &argument, nullptr);
  pareto_load_options options = PARETO_LOAD_OPTIONS_INIT;
  options.kinds = kinds;
  pareto_app* app = nullptr;
  pareto_app_load(&app, text.data(), text.size(), &options);
  pareto_kinds_free(kinds);
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
    if (pareto_app_package(app, argument.c_str(), nullptr, &data_out, &length) == PARETO_OK) pareto_free(data_out);
  }
  pareto_app_free(app);
  return 0;
}
