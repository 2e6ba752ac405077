// `pareto budget`: every quota an app uses, through the C++ API over the C API.
#include <gtest/gtest.h>

#include <set>

#include "generated_app.hpp"
#include "pareto/pareto.hpp"
#include "support.hpp"

namespace pareto {
namespace {
using nlohmann::json;

json budget_of(const App& app) { return json::parse(app.budget("json")); }

TEST(Budget, TheExampleUsesNamedWithTheirEntriesLeastHeadroomFirst) {
  App app = App::from_path(PARETO_SOURCE_DIR "/examples/hello");
  json uses = budget_of(app);
  ASSERT_GT(uses.size(), 20u);
  std::set<std::string> quotas;
  double previous = 2;
  for (const auto& use : uses) {
    quotas.insert(use["quota"]);
    EXPECT_EQ(use["headroom"].get<long long>(),
              use["limit"].get<long long>() - use["used"].get<long long>());
    double share = use["used"].get<double>() / use["limit"].get<double>();
    EXPECT_LE(share, previous) << use.dump();
    previous = share;
  }
  for (const char* quota : {"template bytes, inline", "template bytes, through S3",
                            "resources per stack", "parameters per stack", "outputs per stack",
                            "role inline policy characters", "targets per rule",
                            "function resource policy bytes (estimated)", "resources per API",
                            "function name length", "role name length", "table name length"})
    EXPECT_TRUE(quotas.count(quota)) << quota;
  // "hello-get" is "hello-<stage>-hello-get" with a 16-character stage: 32 of Lambda's 64.
  bool found = false;
  for (const auto& use : uses)
    if (use["quota"] == "function name length" && use["entry"] == "/actions/0/name") {
      found = true;
      EXPECT_EQ(use["used"], 32);
      EXPECT_EQ(use["limit"], 64);
      EXPECT_EQ(use["subject"], "hello-<stage>-hello-get");
    }
  EXPECT_TRUE(found);
  std::string table = app.budget("text");
  EXPECT_EQ(table.rfind("quota", 0), 0u);
  EXPECT_NE(table.find("/actions/0/name"), std::string::npos);
}

TEST(Budget, EachNestedStackHasItsOwnLines) {
  App app = App::from_text(testing_support::generated_app(2000), "pareto.yaml");
  auto nested = json::parse(app.nested_stacks());
  ASSERT_FALSE(nested.empty());
  std::set<std::string> stacks;
  for (const auto& use : budget_of(app))
    if (use["quota"] == "resources per stack") {
      stacks.insert(use["subject"]);
      EXPECT_LE(use["used"], 500);
    }
  EXPECT_EQ(stacks.size(), nested.size() + 1);
  EXPECT_TRUE(stacks.count("the parent stack") && stacks.count("Stack01"));
}

TEST(Budget, FormatAndValidityAreChecked) {
  App app = App::from_text("app: x\ntables: [{name: t}]\n", "pareto.yaml");
  char* out = nullptr;
  pareto_app* bad = nullptr;
  EXPECT_EQ(pareto_app_load(&bad, "app: 1\n", 7, nullptr), PARETO_EINVALID);
  EXPECT_EQ(pareto_app_budget(bad, "json", &out), PARETO_EINVALID);
  EXPECT_EQ(out, nullptr);
  pareto_app_free(bad);
  EXPECT_THROW(app.budget("yaml"), Error);
  EXPECT_EQ(pareto_app_budget(nullptr, "json", &out), PARETO_EARG);
}

}  // namespace
}  // namespace pareto
