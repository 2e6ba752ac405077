// queues: the dead-letter queue and the mapping.
#include <gtest/gtest.h>

#include "component_fixture.hpp"

namespace pareto::testing_support {

TEST_F(Component, QueueHasDeadLetterQueueAndMapping) {
  handler("worker", "def handler(event, context):\n    pass\n");
  json t = synth("app: x\nactions: [{name: worker}]\nqueues: [{name: jobs, action: worker, batch: 7}]\n");
  const json& r = t["Resources"];
  EXPECT_TRUE(r["JobsQueue"]["Properties"].contains("RedrivePolicy"));
  EXPECT_EQ(r["JobsQueueMapping"]["Properties"]["BatchSize"], 7);
  json s = statements(t, "WorkerFunctionRole");
  ASSERT_TRUE(s.contains("Sqs")) << s.dump(2);
  for (const char* action : {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"})
    EXPECT_NE(s["Sqs"]["Action"].dump().find(action), std::string::npos) << action;
  EXPECT_NE(s["Sqs"]["Resource"], json("*"));
}

}  // namespace pareto::testing_support
