// Hostile input: each gets one clear error, within the bounds the README states, never a crash.
// (Time and memory are measured by hand and in the README, not asserted here.)
#include <gtest/gtest.h>

#include "load/document.hpp"
#include "pareto/pareto.h"
#include "support.hpp"

namespace pareto {
namespace {

struct Hostile {
  const char* name;
  std::string text;
  const char* check;
  const char* says;
};

std::string repeat(const std::string& part, size_t times, const std::string& separator = "") {
  std::string out;
  for (size_t i = 0; i < times; ++i) out += (i ? separator : "") + part;
  return out;
}

// "Billion laughs": seven levels of ten aliases each would be ten million values.
std::string laughs() {
  std::string yaml = "app: x\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level < 7; ++level) {
    std::string previous = "*a" + std::to_string(level - 1);
    yaml += "a" + std::to_string(level) + ": &a" + std::to_string(level) + " [" +
            repeat(previous, 10, ", ") + "]\n";
  }
  return yaml;
}

std::vector<Hostile> cases() {
  LoadLimits limits;
  return {
      {"AliasBomb", laughs(), "E1003", "expands to more than 1000000 values"},
      {"DeepYaml", "app: x\nenv: " + repeat("[", 10000) + repeat("]", 10000) + "\n", "E1003",
       "nesting deeper than 64 levels"},
      {"DeepJson", "{\"app\": \"x\", \"a\": " + repeat("[", 100000) + repeat("]", 100000) + "}",
       "E1003", "nesting deeper than 64 levels"},
      {"HugeString", "app: " + std::string(limits.max_string + 1, 'x') + "\n", "E1003",
       "at most 65536 are accepted"},
      {"HugeText", "app: x\n" + repeat("# padding\n", limits.max_bytes / 10 + 1), "E1003",
       "at most 2097152 are accepted"},
      {"ManyComponents",
       "app: x\ntables: [" + repeat("{name: t}", kMaxComponents + 1, ",") + "]\n", "E1003",
       "at most 20000"},
      {"InvalidUtf8Value", "app: x\xff\xfe\ntables: [{name: t}]\n", "E1001", "not valid UTF-8"},
      {"InvalidUtf8Key", "app: x\n\xc0\xaf: 1\n", "E1001", "UTF-8"},
      {"NulByte", std::string("app: x\0y\n", 9), "E1001", "NUL byte"},
      {"DuplicateKeys", "app: x\napp: y\n", "E1002", "app"},
      {"FloatOutOfRange", "app: x\nactions: [{name: a}]\nqueues: [{name: q, action: a, batch: 1e400}]\n",
       "E1003", "the number 1e400 is out of range"},
      {"IntegerOutOfRange",
       "app: x\nactions: [{name: a}]\nqueues: [{name: q, action: a, batch: 123456789012345678901234567890}]\n",
       "E2006", "out of range 1..10"},
      {"ControlCharacters", repeat("\x01\x02\x03\x7f", 1000), "E1004", "mapping"},
  };
}

class HostileInput : public ::testing::TestWithParam<Hostile> {};

TEST_P(HostileInput, IsOneClearErrorNotACrash) {
  const Hostile& input = GetParam();
  Synthesis result = testing_support::synth(input.text);
  ASSERT_FALSE(result.ok());
  bool found = false;
  for (const auto& e : result.errors)
    found |= e.check == input.check && e.message.find(input.says) != std::string::npos;
  EXPECT_TRUE(found) << result.errors_json("pareto.yaml").dump(2).substr(0, 2000);
  EXPECT_TRUE(result.template_json.empty());

  // The same through the C API: an app handle with the errors, never a crash.
  pareto_app* app = nullptr;
  EXPECT_EQ(pareto_app_load(&app, input.text.data(), input.text.size(), nullptr), PARETO_EINVALID);
  ASSERT_NE(app, nullptr);
  EXPECT_NE(std::string(pareto_app_errors(app)), "[]");
  pareto_app_free(app);
}

INSTANTIATE_TEST_SUITE_P(Load, HostileInput, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace pareto
