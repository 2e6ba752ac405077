// user pools: the clients.
#include <gtest/gtest.h>

#include "component_fixture.hpp"

namespace pareto::testing_support {

TEST_F(Component, UserPoolHasAdminAndWebClients) {
  json t = synth("app: x\nuserpools: [{name: main}]\n");
  const json& r = t["Resources"];
  EXPECT_EQ(r["MainUserpool"]["Type"], "AWS::Cognito::UserPool");
  EXPECT_EQ(r["MainUserpoolAdminClient"]["Type"], "AWS::Cognito::UserPoolClient");
  EXPECT_EQ(r["MainUserpoolWebClient"]["Type"], "AWS::Cognito::UserPoolClient");
}

}  // namespace pareto::testing_support
