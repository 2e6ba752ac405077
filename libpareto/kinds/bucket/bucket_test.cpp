// buckets: events to EventBridge.
#include <gtest/gtest.h>

#include "component_fixture.hpp"

namespace pareto::testing_support {

TEST_F(Component, BucketSendsEventsToEventBridge) {
  json t = synth("app: x\nbuckets: [{name: uploads}]\n");
  const json& props = t["Resources"]["UploadsBucket"]["Properties"];
  EXPECT_EQ(props["NotificationConfiguration"]["EventBridgeConfiguration"]["EventBridgeEnabled"], true);
  EXPECT_TRUE(props.contains("BucketName"));
}

}  // namespace pareto::testing_support
