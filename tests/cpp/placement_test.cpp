// Sticky placement: what is deployed in a stack stays in it whatever the app becomes (growing,
// shrinking, edits, outgrowing one stack); new components fill stacks with room; a stack that can
// no longer hold what it has is an error before anything deploys.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>

#include "finalize/finalize.hpp"
#include "generated_app.hpp"
#include "pareto/pareto.hpp"
#include "support.hpp"

namespace pareto {
namespace {
using nlohmann::json;
using testing_support::generated_app;
using testing_support::synth;

constexpr std::string_view kStackType = "AWS::CloudFormation::Stack";

// Where each resource is, as a deploy reads it back from the deployed templates.
Placement placement_of(const Stacks& stacks) {
  Placement out;
  const json parent = json::parse(stacks.parent_json);
  for (const auto& [id, resource] : parent["Resources"].items())
    if (resource["Type"] != kStackType) out[id] = "";
  for (const auto& stack : stacks.nested) {
    const json nested = json::parse(stack.template_json);
    for (const auto& [id, _] : nested["Resources"].items()) out[id] = stack.name;
  }
  return out;
}

Stacks placed(const std::string& yaml, const Placement& deployed, Diagnostics& errors) {
  Synthesis result = synth(yaml);
  EXPECT_TRUE(result.ok()) << result.errors_json("pareto.yaml").dump(2);
  return stack_up(result.finalized, result.name, deployed, errors);
}

Stacks placed(const std::string& yaml, const Placement& deployed) {
  Diagnostics errors;
  Stacks out = placed(yaml, deployed, errors);
  EXPECT_TRUE(errors.empty()) << errors.front().message;
  return out;
}

// Every reference resolves within its stack or is passed in; the stacks' resources in the parent
// wait for each other without a cycle; every stack is within the quotas.
void expect_deployable(const Stacks& stacks) {
  json parent = json::parse(stacks.parent_json);
  const json& resources = parent["Resources"];
  EXPECT_LE(resources.size(), kMaxResources);
  for (const auto& stack : stacks.nested) {
    json t = json::parse(stack.template_json);
    EXPECT_LE(t["Resources"].size(), kMaxResources) << stack.name;
    const json parameters = t.value("Parameters", json::object());
    EXPECT_LE(parameters.size(), kMaxParameters) << stack.name;
    EXPECT_LE(t.value("Outputs", json::object()).size(), kMaxOutputs) << stack.name;
    json passed = resources[stack.name]["Properties"]["Parameters"];
    for (const auto& [name, _] : parameters.items())
      EXPECT_TRUE(passed.contains(name)) << stack.name << " is not given " << name;
    References found = references(t["Resources"]);
    for (const auto& id : found.all())
      EXPECT_TRUE(t["Resources"].contains(id) || parameters.contains(id) ||
                  is_pseudo_parameter(id))
          << stack.name << " reads " << id;
  }
  std::map<std::string, std::set<std::string>> reads;
  for (const auto& [id, resource] : resources.items())
    for (const auto& read : references(resource).all())
      if (resources.contains(read)) reads[id].insert(read);
  std::map<std::string, int> state;  // 1: on the path, 2: done
  std::function<bool(const std::string&)> cyclic = [&](const std::string& id) {
    if (state[id] == 1) return true;
    if (state[id] == 2) return false;
    state[id] = 1;
    for (const auto& read : reads[id])
      if (cyclic(read)) return true;
    state[id] = 2;
    return false;
  };
  for (const auto& [id, _] : resources.items()) EXPECT_FALSE(cyclic(id)) << id << " is in a cycle";
}

// How many of `before`'s resources `after` holds in another stack.
size_t moved(const Placement& before, const Placement& after) {
  size_t count = 0;
  for (const auto& [id, stack] : before)
    if (auto it = after.find(id); it != after.end() && it->second != stack) ++count;
  return count;
}

class Placements : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    deployed_ = new Placement(placement_of(placed(generated_app(1000), {})));
  }
  static void TearDownTestSuite() { delete deployed_; }
  static Placement* deployed_;
};
Placement* Placements::deployed_ = nullptr;

TEST_F(Placements, AnUnchangedAppPlacesAsDeployed) {
  // A deploy of what is deployed places every stack byte for byte as it is: no changes.
  Synthesis result = synth(generated_app(1000));
  Diagnostics errors;
  Stacks again = stack_up(result.finalized, result.name, *deployed_, errors);
  ASSERT_TRUE(errors.empty()) << errors.front().message;
  EXPECT_EQ(again.parent_json, result.template_json);
  ASSERT_EQ(again.nested.size(), result.nested.size());
  for (size_t i = 0; i < again.nested.size(); ++i) {
    EXPECT_EQ(again.nested[i].name, result.nested[i].name);
    EXPECT_EQ(again.nested[i].template_json, result.nested[i].template_json) << again.nested[i].name;
  }
}

TEST_F(Placements, GrowingMovesNothingDeployed) {
  // Workers read other tables as the app grows: edits too.
  Stacks grown = placed(generated_app(1100), *deployed_);
  expect_deployable(grown);
  Placement after = placement_of(grown);
  EXPECT_EQ(moved(*deployed_, after), 0u);
  EXPECT_GT(after.size(), deployed_->size());
  // Without the deployed placement, growing would move resources: the test can fail.
  EXPECT_GT(moved(*deployed_, placement_of(placed(generated_app(1100), {}))), 0u);
}

TEST_F(Placements, NewComponentsFillDeployedStacksWithRoom) {
  Placement after = placement_of(placed(generated_app(1100), *deployed_));
  std::set<std::string> stacks_before, stacks_after;
  for (const auto& [_, stack] : *deployed_) stacks_before.insert(stack);
  ASSERT_FALSE(stacks_before.empty());
  for (const auto& [id, stack] : after)
    if (!deployed_->count(id)) stacks_after.insert(stack);
  // The last deployed stack has room: new components go there before any new stack.
  EXPECT_TRUE(stacks_after.count(*stacks_before.rbegin())) << *stacks_before.rbegin();
}

TEST_F(Placements, ShrinkingMovesNothingLeft) {
  std::string yaml = generated_app(1000);
  // Remove ten groups from the middle (their five components each).
  std::string smaller;
  std::istringstream lines(yaml);
  for (std::string line; std::getline(lines, line);) {
    bool removed = false;
    for (int i = 40; i < 50; ++i)
      for (const char* name : {"worker", "reader", "table", "bucket", "queue"}) {
        std::string n = std::string(name) + std::to_string(i);
        removed |= line.find("name: " + n + ",") != std::string::npos ||
                   line.find("name: " + n + "}") != std::string::npos ||
                   line.find("action: reader" + std::to_string(i) + ",") != std::string::npos;
      }
    if (!removed) smaller += line + "\n";
  }
  Stacks shrunk = placed(smaller, *deployed_);
  expect_deployable(shrunk);
  Placement after = placement_of(shrunk);
  EXPECT_LT(after.size(), deployed_->size());
  EXPECT_EQ(moved(*deployed_, after), 0u);
}

TEST(Placement, OutgrowingOneStackKeepsWhatTheParentHolds) {
  Placement one = placement_of(placed(generated_app(100), {}));
  for (const auto& [_, stack] : one) ASSERT_EQ(stack, "");
  Stacks grown = placed(generated_app(1000), one);
  expect_deployable(grown);
  Placement after = placement_of(grown);
  EXPECT_EQ(moved(one, after), 0u);
  EXPECT_FALSE(grown.nested.empty());
}

TEST(Placement, ANestedAppThatShrinksStaysNested) {
  Placement nested = placement_of(placed(generated_app(1000), {}));
  Stacks small = placed(generated_app(100), nested);
  expect_deployable(small);
  EXPECT_FALSE(small.nested.empty());
  EXPECT_EQ(moved(nested, placement_of(small)), 0u);
}

TEST(Placement, AStackThatCanNoLongerHoldWhatItHasIsAnError) {
  Stacks fresh = placed(generated_app(1000), {});
  Placement deployed = placement_of(fresh);
  // Every table in Table0's stack starts streaming: a router function, its role and mapping each.
  const std::string full = deployed.at("Table0Table");
  std::string yaml = generated_app(1000);
  size_t grew = 0;
  for (const auto& [id, stack] : deployed) {
    if (stack != full || !id.starts_with("Table") || !id.ends_with("Table")) continue;
    std::string name = "table" + id.substr(5, id.size() - 10);
    std::string entry = "{name: " + name + "}";
    size_t at = yaml.find(entry);
    ASSERT_NE(at, std::string::npos) << entry;
    yaml.replace(at, entry.size(), "{name: " + name + ", streaming: {}}");
    ++grew;
  }
  ASSERT_GT(grew, 5u);
  Diagnostics errors;
  placed(yaml, deployed, errors);
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].check, check::kQuota);
  EXPECT_EQ(errors[0].path.rfind("/tables/", 0), 0u) << errors[0].path;
  EXPECT_NE(errors[0].message.find(" and 13 more components are deployed in " + full +
                                   " and stay there, since moving would delete them"),
            std::string::npos)
      << errors[0].message;
  EXPECT_NE(errors[0].message.find("resources (CloudFormation allows 500)"), std::string::npos)
      << errors[0].message;
  EXPECT_NE(errors[0].message.find("make room in two deploys, first without some of the actions it holds (/actions/"), std::string::npos)
      << errors[0].message;
}

TEST(Placement, TheCApiPlacesANewHandle) {
  App app = App::from_text(generated_app(1100));
  json deployed = placement_of(placed(generated_app(1000), {}));
  App placed_app = app.place(deployed.dump());
  EXPECT_TRUE(placed_app.valid());
  Stacks stacks{placed_app.synth(), {}};
  const json nested = json::parse(placed_app.nested_stacks());
  for (const auto& stack : nested)
    stacks.nested.push_back({stack["name"], stack["key"], stack["template"]});
  EXPECT_EQ(moved(deployed, placement_of(stacks)), 0u);
  EXPECT_NE(placed_app.synth(), app.synth());
  // The original is unchanged, and a placement that is not {id: stack} is refused.
  EXPECT_EQ(app.synth(), App::from_text(generated_app(1100)).synth());
  pareto_app* out = nullptr;
  EXPECT_EQ(pareto_app_place(app.get(), "[]", &out), PARETO_EARG);
  EXPECT_EQ(pareto_app_place(app.get(), "{\"A\": 1}", &out), PARETO_EARG);
  EXPECT_EQ(out, nullptr);
}

}  // namespace
}  // namespace pareto
