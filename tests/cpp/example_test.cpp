// The example app: the template a new user first sees, least-privilege throughout.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support.hpp"

namespace pareto {
namespace {
using nlohmann::json;

Synthesis example() {
  std::ifstream in(testing_support::kSourceDir / "examples/hello/pareto.yaml");
  std::stringstream text;
  text << in.rdbuf();
  return synthesize(text.str(), {.source_name = "pareto.yaml",
                                 .base_dir = testing_support::kSourceDir / "examples/hello"});
}

void collect_resources(const json& value, std::vector<json>& out) {
  if (value.is_object()) {
    if (value.contains("Resource")) out.push_back(value["Resource"]);
    for (const auto& [key, sub] : value.items()) collect_resources(sub, out);
  } else if (value.is_array()) {
    for (const auto& sub : value) collect_resources(sub, out);
  }
}

TEST(Example, SynthesizesTheWholeApp) {
  Synthesis result = example();
  ASSERT_TRUE(result.ok()) << result.errors_json("pareto.yaml").dump(2);
  json resources = testing_support::resources(result);
  for (const char* id : {"HelloGetFunction", "HelloPostFunction", "WorkerFunction", "TickerFunction",
                         "UsersTable", "JobsQueue", "TickTimer", "PublicApi", "ErrorsTopic"})
    EXPECT_TRUE(resources.contains(id)) << id;
  EXPECT_EQ(result.functions.size(), 4u);
}

TEST(Example, NoPolicyGrantsEverything) {
  Synthesis result = example();
  std::vector<json> found;
  collect_resources(testing_support::resources(result), found);
  ASSERT_FALSE(found.empty());
  for (const auto& resource : found) EXPECT_NE(resource, json("*")) << "a statement grants on *";
}

TEST(Example, SameInputSameBytes) {
  EXPECT_EQ(example().template_json, example().template_json);
}

}  // namespace
}  // namespace pareto
