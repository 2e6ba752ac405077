// secrets: generated values.
#include <gtest/gtest.h>

#include "component_fixture.hpp"

namespace pareto::testing_support {

TEST_F(Component, SecretIsGeneratedNeverPlainText) {
  json t = synth("app: x\nsecrets: [{name: api-token}]\n");
  const json& props = t["Resources"]["ApiTokenSecret"]["Properties"];
  EXPECT_TRUE(props.contains("GenerateSecretString"));
  EXPECT_FALSE(props.contains("SecretString"));
}

}  // namespace pareto::testing_support
