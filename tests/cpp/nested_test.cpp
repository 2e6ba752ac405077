// Apps past one stack's quotas: a parent and nested stacks that hold every resource once, pass
// every reference they need, stay within the quotas and only read stacks before them.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "finalize/finalize.hpp"
#include "render/dashboard.hpp"
#include "generated_app.hpp"
#include "support.hpp"

namespace pareto {
namespace {
using nlohmann::json;
using testing_support::generated_app;
using testing_support::synth;

struct Split {
  json parent;
  std::map<std::string, json> nested;  // by logical id in the parent
};

Split split_of(const Synthesis& result) {
  Split out{json::parse(result.template_json), {}};
  for (const auto& stack : result.nested) out.nested[stack.name] = json::parse(stack.template_json);
  return out;
}

class NestedStacks : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    result_ = new Synthesis(synth(generated_app(2000, /*dashboard=*/true)));
  }
  static void TearDownTestSuite() { delete result_; }
  static Synthesis* result_;
};
Synthesis* NestedStacks::result_ = nullptr;

TEST_F(NestedStacks, TwoThousandComponentsSplitWithinTheQuotas) {
  ASSERT_TRUE(result_->ok()) << result_->errors_json("pareto.yaml").dump(2);
  ASSERT_GT(result_->nested.size(), 1u);
  EXPECT_LE(result_->template_json.size(), kMaxTemplateBytes);
  for (const auto& stack : result_->nested) {
    json t = json::parse(stack.template_json);
    EXPECT_LE(stack.template_json.size(), kMaxTemplateBytes) << stack.name;
    EXPECT_LE(t["Resources"].size(), kMaxResources) << stack.name;
    EXPECT_LE(t.value("Parameters", json::object()).size(), kMaxParameters) << stack.name;
    EXPECT_LE(t.value("Outputs", json::object()).size(), kMaxOutputs) << stack.name;
    EXPECT_NE(stack.key.find("pareto/generated/stacks/" + stack.name + "-"), std::string::npos);
  }
}

TEST_F(NestedStacks, EveryResourceIsInExactlyOneStack) {
  Split split = split_of(*result_);
  std::map<std::string, int> seen;
  for (const auto& [id, resource] : split.parent["Resources"].items())
    if (resource["Type"] != "AWS::CloudFormation::Stack") seen[id]++;
  for (const auto& [_, t] : split.nested)
    for (const auto& [id, __] : t["Resources"].items()) seen[id]++;
  for (const auto& [id, count] : seen) EXPECT_EQ(count, 1) << id;
  for (const char* id : {"Worker0Function", "Worker399FunctionRole", "Queue7Queue",
                         "Table250Table", "Bucket399Bucket", "Api19Api", "Dashboard"})
    EXPECT_EQ(seen[id], 1) << id;
}

TEST_F(NestedStacks, NestedTemplatesReferOnlyToWhatTheyHoldOrAreGiven) {
  for (const auto& [name, t] : split_of(*result_).nested) {
    const json parameters = t.value("Parameters", json::object());
    const json outputs = t.value("Outputs", json::object());
    auto check = [&](const std::string& from, const json& value) {
      References found = references(value);
      for (const auto& ref : found.refs)
        EXPECT_TRUE(t["Resources"].contains(ref) || parameters.contains(ref) ||
                    is_pseudo_parameter(ref))
            << name << ": " << from << " refers to " << ref;
      for (const auto& id : found.attributes)
        EXPECT_TRUE(t["Resources"].contains(id)) << name << ": " << from << " reads " << id;
      for (const auto& id : found.depends_on)
        EXPECT_TRUE(t["Resources"].contains(id)) << name << ": " << from << " waits for " << id;
    };
    for (const auto& [id, resource] : t["Resources"].items()) check(id, resource);
    for (const auto& [id, output] : outputs.items()) check(id, output);
    EXPECT_EQ(references(t["Resources"]).refs.count("AWS::StackName"), 0u)
        << name << ": a nested stack's own name is not the app's";
  }
}

TEST_F(NestedStacks, ParentPassesEachParameterFromAnEarlierStacksOutput) {
  Split split = split_of(*result_);
  std::vector<std::string> order;
  for (const auto& stack : result_->nested) order.push_back(stack.name);
  auto position = [&](const std::string& name) {
    return std::find(order.begin(), order.end(), name) - order.begin();
  };
  for (const auto& [name, t] : split.nested) {
    const json& stack = split.parent["Resources"][name];
    ASSERT_EQ(stack["Type"], "AWS::CloudFormation::Stack");
    const json& passed = stack["Properties"]["Parameters"];
    std::set<std::string> expected, given;
    const json parameters = t.value("Parameters", json::object());
    for (const auto& [p, _] : parameters.items()) expected.insert(p);
    for (const auto& [p, value] : passed.items()) {
      given.insert(p);
      if (!value.contains("Fn::GetAtt")) continue;
      std::string from = value["Fn::GetAtt"][0], output = value["Fn::GetAtt"][1];
      EXPECT_LT(position(from), position(name)) << name << " reads " << from;
      ASSERT_EQ(output.rfind("Outputs.", 0), 0u);
      EXPECT_TRUE(split.nested[from]["Outputs"].contains(output.substr(8)))
          << from << " has no output " << output;
    }
    EXPECT_EQ(given, expected) << name;
  }
}

TEST_F(NestedStacks, TheAppsOutputsAndDashboardsGoWithWhatTheyRead) {
  Split split = split_of(*result_);
  std::set<std::string> described, dashboards;
  for (const auto& [_, t] : split.nested) {
    for (const auto& [id, output] : t["Outputs"].items())
      if (output.contains("Description")) described.insert(id);
    for (const auto& [id, resource] : t["Resources"].items())
      if (resource["Type"] == "AWS::CloudWatch::Dashboard") dashboards.insert(id);
  }
  // Each dashboard reads few enough resources to take them as parameters.
  EXPECT_GE(dashboards.size(), 2000u / kMaxResourcesRead);
  // 400 of each: workers' and readers' functions, queues and their dead-letter queues, tables,
  // buckets; 20 APIs with a URL, an id and a stage each; a URL per dashboard.
  EXPECT_EQ(described.size(), 400u * 6 + 20u * 3 + dashboards.size());
  EXPECT_TRUE(described.count("Table0Table") && described.count("DashboardUrl"));
}

TEST_F(NestedStacks, SplittingIsDeterministic) {
  Synthesis again = synth(generated_app(2000, true));
  ASSERT_EQ(again.nested.size(), result_->nested.size());
  EXPECT_EQ(again.template_json, result_->template_json);
  for (size_t i = 0; i < again.nested.size(); ++i) {
    EXPECT_EQ(again.nested[i].key, result_->nested[i].key);
    EXPECT_EQ(again.nested[i].template_json, result_->nested[i].template_json);
  }
}

TEST(Nested, AnAppWithinTheQuotasIsOneStack) {
  Synthesis result = synth(generated_app(100));
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result.nested.empty());
}

TEST(Nested, AComponentTooBigForAStackIsAnErrorNamingIt) {
  std::string yaml = "app: x\nactions:\n";
  for (int i = 0; i < 300; ++i) yaml += "  - {name: a" + std::to_string(i) + "}\n";
  yaml += "apis:\n  - name: wide\n    endpoints:\n";
  for (int i = 0; i < 300; ++i)
    yaml += "      - {action: a" + std::to_string(i) + ", method: GET, path: p" + std::to_string(i) + "}\n";
  Synthesis result = synth(yaml);
  ASSERT_FALSE(result.ok());
  bool named = false;
  for (const auto& e : result.errors)
    named |= e.check == "E4003" && e.path == "/apis/0" &&
             e.message.find("more than one stack takes") != std::string::npos;
  EXPECT_TRUE(named) << result.errors_json("pareto.yaml").dump(2);
}

// What the parent passes a stack is named after the resource and attribute it reads
// ("SharedArn"), and never after an id the template already has: a resource of that name gets
// "SharedArn2" (the splitter once checked against a moved-from template, and so against nothing).
TEST(Nested, NamesPassedBetweenStacksTakeNoIdTheTemplateHas) {
  Template t;
  auto add = [&](const std::string& id, json resource, const std::string& origin) {
    t.resources[id] = std::move(resource);
    t.origins[id] = origin;
  };
  add("Shared", {{"Type", "AWS::SQS::Queue"}}, "/queues/0");
  add("SharedArn", {{"Type", "AWS::SQS::Queue"}}, "/queues/1");
  for (int i = 0; i < 600; ++i)
    add("Reader" + std::to_string(i),
        {{"Type", "AWS::SNS::Topic"},
         {"Properties", {{"DisplayName", {{"Fn::GetAtt", {"Shared", "Arn"}}}}}}},
        "/topics/" + std::to_string(i));
  Diagnostics errors;
  Stacks stacks = stack_up(t, "app", {}, errors);
  ASSERT_TRUE(errors.empty()) << errors.front().message;
  ASSERT_GE(stacks.nested.size(), 2u);
  std::set<std::string> passed;
  for (const auto& stack : stacks.nested) {
    const json parameters = json::parse(stack.template_json).value("Parameters", json::object());
    for (const auto& [name, _] : parameters.items()) passed.insert(name);
  }
  EXPECT_TRUE(passed.count("SharedArn2")) << json(passed).dump();
  EXPECT_FALSE(passed.count("SharedArn")) << json(passed).dump();
}

}  // namespace
}  // namespace pareto
