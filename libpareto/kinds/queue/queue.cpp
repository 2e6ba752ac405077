// queues: an SQS queue with its dead-letter queue, consumed by one action in batches.
#include "kinds/action/action.hpp"
#include "components/alarms.hpp"
#include "components/function.hpp"

namespace pareto {
using nlohmann::json;

namespace {

// Messages that fail this many receives move to the dead-letter queue, kept 14 days.
constexpr int kMaxReceiveCount = 3;
constexpr int kDeadLetterRetentionSeconds = 14 * 24 * 3600;

void validate(Checker& c, const Component& queue) {
  c.name_length(queue, "queue", std::string_view("-dlq").size(), 80);
  std::string action = queue.string("action");
  if (c.require("actions", action, queue.pointer + "/action"))
    c.bind(action, queue.pointer + "/action", "queue " + queue.name);
}

void render(Renderer& r, const Component& queue) {
  std::string action = queue.string("action");
  std::string dlq = queue.id("queue-dlq");
  r.resource(dlq,
             {{"Type", "AWS::SQS::Queue"},
              {"Properties", {{"QueueName", r.physical_name(queue.name, "-dlq")},
                              {"MessageRetentionPeriod", kDeadLetterRetentionSeconds},
                              {"SqsManagedSseEnabled", true}}}},
             queue.pointer);
  // A message stays invisible while the consumer works on it: at least the function timeout.
  r.resource(queue.id(),
             {{"Type", "AWS::SQS::Queue"},
              {"Properties",
               {{"QueueName", r.physical_name(queue.name)},
                {"VisibilityTimeout", action_timeout(r.model(), action)},
                {"SqsManagedSseEnabled", true},
                {"RedrivePolicy", {{"deadLetterTargetArn", cfn::get_att(dlq, "Arn")},
                                   {"maxReceiveCount", kMaxReceiveCount}}}}}},
             queue.pointer);
  r.grant(action, consume_queue(r, queue.id("queue-mapping"), cfn::get_att(queue.id(), "Arn"),
                                function_id(action), queue["batch"], queue.pointer));
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
