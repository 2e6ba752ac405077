// Loading and checking: located errors, all at once, and the checks after the schema.
#include <gtest/gtest.h>

#include "support.hpp"

namespace pareto {
namespace {
using testing_support::error_list;
using testing_support::synth;

TEST(Load, SyntaxErrorsGiveLineAndColumn) {
  Synthesis result = synth("app: x\nactions:\n  - name: a\n   bad: [1\n");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].check, "E1001");
  EXPECT_EQ(result.errors[0].line, 4);
  EXPECT_GT(result.errors[0].column, 0);
  EXPECT_TRUE(result.template_json.empty());
}

TEST(Load, DuplicateKeysAreErrors) {
  Synthesis result = synth("app: x\napp: y\n");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.errors[0].check, "E1002");
  EXPECT_EQ(result.errors[0].line, 2);
}

TEST(Load, TopLevelMustBeAMapping) {
  for (const char* text : {"", "- a\n", "42\n", "null\n"}) {
    Synthesis result = synth(text);
    ASSERT_FALSE(result.ok()) << text;
    EXPECT_EQ(result.errors[0].path, "") << text;
  }
}

TEST(Load, DeepNestingIsALimitNotACrash) {
  std::string deep = "app: x\nactions: " + std::string(100000, '[') + std::string(100000, ']') + "\n";
  Synthesis result = synth(deep);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.errors[0].check, "E1003");
}

TEST(Load, TextThatLoopsTheYamlParserIsAnError) {
  // Found by tests/fuzz/fuzz_app: yaml-cpp 0.7 emits events for this without end.
  Synthesis result = synth(",pp: demo\nactions:r\"<<: 'dyn]\n");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].check, "E1001");
  EXPECT_EQ(result.errors[0].message, "the YAML parser does not get through this text");
}

TEST(Load, JsonIsAcceptedToo) {
  Synthesis result = synth(R"({"app": "x", "actions": [{"name": "a"}]})");
  EXPECT_TRUE(result.ok()) << result.errors_json("pareto.yaml").dump();
}

TEST(Schema, EveryViolationAtOnceWithPositions) {
  Synthesis result = synth(
      "app: x\n"
      "actions:\n"
      "  - name: a\n"
      "    timout: 3\n"
      "    size: lots\n"
      "  - name: b\n"
      "    runtime: cobol\n");
  EXPECT_EQ(error_list(result),
            (std::vector<std::string>{"/actions/0/timout [E2003]", "/actions/0/size [E2002]",
                                      "/actions/1/runtime [E2005]"}));
  EXPECT_EQ(result.errors[0].line, 4);
  EXPECT_EQ(result.errors[1].line, 5);
  EXPECT_EQ(result.errors[2].line, 7);
  EXPECT_NE(result.errors[0].message.find("timeout"), std::string::npos)
      << "suggests the nearest key: " << result.errors[0].message;
}

TEST(Schema, MissingRequiredKey) {
  Synthesis result = synth("actions: []\n");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.errors[0].check, "E2004");
  EXPECT_NE(result.errors[0].message.find("app"), std::string::npos);
}

TEST(Checks, UnknownReferenceNamesTheKindAndSuggests) {
  Synthesis result = synth(
      "app: x\n"
      "actions: [{name: worker}]\n"
      "queues: [{name: jobs, action: wroker}]\n");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].check, "E3001");
  EXPECT_EQ(result.errors[0].path, "/queues/0/action");
  EXPECT_EQ(result.errors[0].line, 3);
  EXPECT_NE(result.errors[0].message.find("worker"), std::string::npos) << result.errors[0].message;
}

TEST(Checks, DuplicateNamesPerKind) {
  Synthesis result = synth("app: x\nactions: [{name: a}, {name: a}]\n");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.errors[0].check, "E3002");
  EXPECT_EQ(result.errors[0].path, "/actions/1/name");
}

TEST(Checks, AnActionHasAtMostOneTrigger) {
  Synthesis result = synth(
      "app: x\n"
      "actions: [{name: a}]\n"
      "queues: [{name: q, action: a}]\n"
      "timers: [{name: t, action: a, rate: 1 hour}]\n");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.errors[0].check, "E3004");
}

TEST(Checks, PermissionsAreServiceColonAction) {
  Synthesis result = synth(
      "app: x\nactions: [{name: a, permissions: ['dynamodb:Get*', '*:GetObject', 'dynamodb']}]\n");
  EXPECT_EQ(error_list(result), (std::vector<std::string>{"/actions/0/permissions/1 [E3005]",
                                                          "/actions/0/permissions/2 [E3005]"}));
}

TEST(Checks, NameLengthsIncludeTheStackPrefix) {
  // 48 characters fit the schema; "<app>-<stage>-" in front makes the function name too long.
  Synthesis result = synth("app: " + std::string(20, 'x') + "\nactions: [{name: " + std::string(48, 'a') + "}]\n");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.errors[0].check, "E3006");
  EXPECT_EQ(result.errors[0].path, "/actions/0/name");
}

TEST(Checks, LaterErrorsPointBackToTheSource) {
  Synthesis result = synth(
      "app: x\n"
      "actions:\n"
      "  - name: a\n"
      "    variables: {NOPE_TABLE: x}\n");
  for (const auto& e : result.errors) EXPECT_GT(e.line, 0) << e.path << ": " << e.message;
}

}  // namespace
}  // namespace pareto

namespace pareto {
namespace {

TEST(Load, BinaryGarbageIsAnErrorNotACrash) {
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage += static_cast<char>((i * 7919) % 256);
  Synthesis result = testing_support::synth(garbage);
  EXPECT_FALSE(result.ok());
}

TEST(Checks, CollidingLogicalIdsAreReported) {
  // Distinct names, one PascalCase: "a1-b" and "a-1-b" both make A1BFunction.
  Synthesis result = testing_support::synth("app: x\nactions: [{name: a1-b}, {name: a-1-b}]\n");
  bool collision = false;
  for (const auto& e : result.errors) collision |= e.check == "E3003";
  EXPECT_TRUE(collision) << result.errors_json("pareto.yaml").dump(2);
}

}  // namespace
}  // namespace pareto
