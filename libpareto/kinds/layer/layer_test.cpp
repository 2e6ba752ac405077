// layers: ARN parameters.
#include <gtest/gtest.h>

#include "component_fixture.hpp"

namespace pareto::testing_support {

TEST_F(Component, LayerIsAnArnParameter) {
  handler("a", "def handler(event, context):\n    pass\n");
  json t = synth("app: x\nactions: [{name: a, layers: [deps]}]\nlayers: [{name: deps}]\n");
  ASSERT_EQ(t["Resources"]["AFunction"]["Properties"]["Layers"].size(), 1u);
  std::string parameter = t["Resources"]["AFunction"]["Properties"]["Layers"][0]["Ref"];
  EXPECT_TRUE(t["Parameters"].contains(parameter));
}

}  // namespace pareto::testing_support
