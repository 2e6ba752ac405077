// libFuzzer target: any bytes as an EventBridge pattern, compiled and then matched against the
// same bytes as an event, through the C API.
#include <cstddef>
#include <cstdint>
#include <string>

#include "pareto/pareto.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::string rules = "{\"fuzzed\": " + text + "}";
  pareto_rules* compiled = nullptr;
  pareto_rules_compile(&compiled, rules.data(), rules.size());
  if (compiled) {
    (void)pareto_rules_errors(compiled);
    char* names = nullptr;
    if (pareto_rules_match(compiled, text.data(), text.size(), &names) == PARETO_OK) pareto_free(names);
  }
  pareto_rules_free(compiled);
  return 0;
}
