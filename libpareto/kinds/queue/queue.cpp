// queues: an SQS queue (standard or FIFO) with its dead-letter queue, consumed by one action in
// batches.
#include "kinds/action/action.hpp"
#include "components/alarms.hpp"
#include "components/function.hpp"

namespace pareto {
using nlohmann::json;

namespace {

// Messages that fail this many receives move to the dead-letter queue, kept 14 days.
constexpr int kMaxReceiveCount = 3;
constexpr int kDeadLetterRetentionSeconds = 14 * 24 * 3600;

// SQS requires it at the end of a FIFO queue's name; Lambda reads FIFO batches of at most 10, and
// more than 10 from a standard queue only with a batching window.
constexpr std::string_view kFifoSuffix = ".fifo";
constexpr int kLargestPlainBatch = 10;

void validate(Checker& c, const Component& queue) {
  bool fifo = queue["fifo"];
  c.name_length(queue, "queue", std::string_view("-dlq").size() + (fifo ? kFifoSuffix.size() : 0),
                80);
  std::string action = queue.string("action");
  if (c.require("actions", action, queue.pointer + "/action"))
    c.bind(action, queue.pointer + "/action", "queue " + queue.name);
  int batch = queue["batch"], window = queue["window"];
  if (fifo && batch > kLargestPlainBatch)
    c.error(queue.pointer + "/batch", check::kRange,
            "Lambda reads at most 10 messages at once from a FIFO queue");
  if (fifo && window > 0)
    c.error(queue.pointer + "/window", check::kCombination,
            "Lambda takes no batching window from a FIFO queue; its batches come as they arrive");
  if (!fifo && batch > kLargestPlainBatch && window == 0)
    c.error(queue.pointer + "/batch", check::kCombination,
            "a batch over 10 messages needs a window (seconds to gather them, 1 to 300)");
  if (!fifo && queue.spec->contains("deduplication"))
    c.error(queue.pointer + "/deduplication", check::kCombination,
            "only FIFO queues drop duplicates: set fifo: true, or drop deduplication");
}

// The queue's and its dead-letter queue's common properties.
json queue_properties(Renderer& r, const Component& queue, std::string_view suffix) {
  bool fifo = queue["fifo"];
  json properties = {
      {"QueueName",
       r.physical_name(queue.name, std::string(suffix) + (fifo ? std::string(kFifoSuffix) : ""))},
      {"SqsManagedSseEnabled", true}};
  if (fifo) properties["FifoQueue"] = true;
  if (fifo && queue.string("deduplication") == "content")
    properties["ContentBasedDeduplication"] = true;
  return properties;
}

void render(Renderer& r, const Component& queue) {
  std::string action = queue.string("action");
  std::string dlq = queue.id("queue-dlq");
  json dead_letters = queue_properties(r, queue, "-dlq");
  dead_letters["MessageRetentionPeriod"] = kDeadLetterRetentionSeconds;
  r.resource(dlq, {{"Type", "AWS::SQS::Queue"}, {"Properties", dead_letters}}, queue.pointer);
  // A message stays invisible while the consumer works on it: at least the function timeout.
  json properties = queue_properties(r, queue, "");
  properties["VisibilityTimeout"] = action_timeout(r.model(), action);
  properties["RedrivePolicy"] = {{"deadLetterTargetArn", cfn::get_att(dlq, "Arn")},
                                 {"maxReceiveCount", kMaxReceiveCount}};
  r.resource(queue.id(), {{"Type", "AWS::SQS::Queue"}, {"Properties", properties}}, queue.pointer);
  r.grant(action,
          consume_queue(r, queue.id("queue-mapping"), cfn::get_att(queue.id(), "Arn"),
                        function_id(action), queue["batch"], queue.pointer, queue["window"]));
  r.charts({"queue " + queue.name, "kinds/queue/charts.json",
            {{"name", "${" + queue.id() + ".QueueName}"}, {"dead-letters", "${" + dlq + ".QueueName}"}}});
  auto depth = [](const std::string& id, const char* metric) {
    return json{{"Namespace", "AWS/SQS"},
                {"MetricName", metric},
                {"Dimensions", {{{"Name", "QueueName"}, {"Value", cfn::get_att(id, "QueueName")}}}},
                {"Statistic", "Maximum"}};
  };
  alarm(r, queue.id("queue-dead-letters-alarm"), "Messages of queue " + queue.name + " that failed",
        depth(dlq, "ApproximateNumberOfMessagesVisible"), "dead-letters", 1, queue.pointer);
  alarm(r, queue.id("queue-age-alarm"), "Messages waiting long on queue " + queue.name,
        depth(queue.id(), "ApproximateAgeOfOldestMessage"), "message-age", 1, queue.pointer);
  r.output(queue.id(), cfn::ref(queue.id()), "The URL of queue " + queue.name, queue.pointer);
  r.output(dlq, cfn::ref(dlq), "The URL of the dead-letter queue of " + queue.name, queue.pointer);
}

json variable(const Component& queue) { return cfn::ref(queue.id()); }

std::vector<json> arns(const Component& queue) { return {cfn::get_att(queue.id(), "Arn")}; }

}  // namespace

extern const Kind kQueueKind{.key = "queues", .noun = "queue", .suffix = "queue", .service = "sqs",
                             .check = validate, .render = render, .variable = variable,
                             .arns = arns};

}  // namespace pareto
