// queues: the dead-letter queue and the mapping; FIFO queues and batching windows.
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

TEST_F(Component, FifoQueueAndItsDeadLetterQueueAreFifo) {
  handler("worker", "def handler(event, context):\n    pass\n");
  json t = synth(
      "app: x\nactions: [{name: worker}]\nqueues: [{name: jobs, action: worker, fifo: true, batch: "
      "10}]\n");
  const json& r = t["Resources"];
  for (const char* queue : {"JobsQueue", "JobsQueueDlq"}) {
    EXPECT_EQ(r[queue]["Properties"]["FifoQueue"], true) << queue;
    EXPECT_FALSE(r[queue]["Properties"].contains("ContentBasedDeduplication")) << queue;
    EXPECT_TRUE(
        r[queue]["Properties"]["QueueName"]["Fn::Sub"].get<std::string>().ends_with(".fifo"))
        << queue;
  }
  EXPECT_FALSE(r["JobsQueueMapping"]["Properties"].contains("MaximumBatchingWindowInSeconds"));
}

TEST_F(Component, LargeBatchesNeedAWindowAndAStandardQueue) {
  handler("worker", "def handler(event, context):\n    pass\n");
  json t = synth(
      "app: x\nactions: [{name: worker}]\nqueues: [{name: jobs, action: worker, batch: 1000, "
      "window: 20}]\n");
  const json& mapping = t["Resources"]["JobsQueueMapping"]["Properties"];
  EXPECT_EQ(mapping["BatchSize"], 1000);
  EXPECT_EQ(mapping["MaximumBatchingWindowInSeconds"], 20);
  EXPECT_FALSE(t["Resources"]["JobsQueue"]["Properties"].contains("FifoQueue"));
}

}  // namespace pareto::testing_support
