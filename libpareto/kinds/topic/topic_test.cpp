// topics: the subscription.
#include <gtest/gtest.h>

#include "component_fixture.hpp"

namespace pareto::testing_support {

TEST_F(Component, TopicSubscribesItsAction) {
  handler("notify", "def handler(event, context):\n    pass\n");
  json t = synth("app: x\nactions: [{name: notify}]\ntopics: [{name: alerts, action: notify}]\n");
  const json& r = t["Resources"];
  EXPECT_EQ(r["AlertsTopicSubscription"]["Properties"]["Protocol"], "lambda");
  EXPECT_EQ(r["AlertsTopicPermission"]["Properties"]["SourceArn"], json::parse(R"({"Ref": "AlertsTopic"})"));
}

}  // namespace pareto::testing_support
