// builders: the CodeBuild project and its build spec.
#include <gtest/gtest.h>

#include "component_fixture.hpp"

namespace pareto::testing_support {

TEST_F(Component, BuilderIsACodeBuildProjectWithItsEvents) {
  handler("a", "def handler(event, context):\n    pass\n");
  fs::create_directories(dir_ / "layers");
  std::ofstream(dir_ / "layers" / "buildspec.yml") << "version: 0.2\n";
  json t = synth("app: x\nbuilders: [{name: layers, compute: medium}]\n"
                 "actions: [{name: a, invocation: async, events: [{name: built, source: {type: builder, name: layers}, "
                 "pattern: {detail: {build-status: [SUCCEEDED]}}}]}]\n");
  const json& r = t["Resources"];
  const json& project = r["LayersBuilder"]["Properties"];
  EXPECT_EQ(r["LayersBuilder"]["Type"], "AWS::CodeBuild::Project");
  EXPECT_EQ(project["Environment"]["ComputeType"], "BUILD_GENERAL1_MEDIUM");
  EXPECT_EQ(project["Source"]["BuildSpec"], "buildspec.yml");  // in its own archive, rooted at layers/
  EXPECT_EQ(r["LayersBuilderRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"],
            "codebuild.amazonaws.com");
  json s = statements(t, "LayersBuilderRole");
  EXPECT_EQ(s["S3"]["Action"], json({"s3:GetObject", "s3:GetObjectVersion"}));
  json pattern = r["ABuiltRule"]["Properties"]["EventPattern"];
  EXPECT_EQ(pattern["detail"]["project-name"], json::parse(R"([{"Ref": "LayersBuilder"}])"));
  EXPECT_EQ(pattern["detail"]["build-status"], json({"SUCCEEDED"}));
}

TEST_F(Component, BuilderNeedsItsBuildSpec) {
  Synthesis result = synthesize("app: x\nbuilders: [{name: layers}]\n", {.source_name = "pareto.yaml", .base_dir = dir_});
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].path, "/builders/0/buildspec");
  EXPECT_EQ(result.errors[0].check, "E1005");
}

}  // namespace pareto::testing_support
