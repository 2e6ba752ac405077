#include "components/errors.hpp"

#include "components/function.hpp"
#include "names.hpp"

namespace pareto {
using nlohmann::json;

namespace {
constexpr std::string_view kQueue = "ErrorsQueue";
constexpr std::string_view kTopic = "ErrorsTopic";
// A failure waits up to 14 days for the handler; a receive hides it for six handler timeouts,
// as Lambda advises for queues it polls.
constexpr int kRetentionSeconds = 14 * 24 * 3600;
constexpr int kVisibilitySeconds = 6 * kHelperTimeout;
}  // namespace

Grant errors_grant(const std::string& origin) {
  return {{"sqs:SendMessage"}, {cfn::get_att(kQueue, "Arn")}, origin};
}

json errors_destination(Renderer& r, const std::string& origin) {
  json queue_arn = cfn::get_att(kQueue, "Arn");
  if (r.has(std::string(kQueue))) return queue_arn;
  r.resource(std::string(kTopic),
             {{"Type", "AWS::SNS::Topic"},
              {"Properties", {{"TopicName", r.physical_name("errors")}}}},
             origin);
  r.resource(std::string(kQueue),
             {{"Type", "AWS::SQS::Queue"},
              {"Properties", {{"QueueName", r.physical_name("errors")},
                              {"MessageRetentionPeriod", kRetentionSeconds},
                              {"VisibilityTimeout", kVisibilitySeconds},
                              {"SqsManagedSseEnabled", true}}}},
             origin);
  Function handler = helper_function("errors", "data/inline/errors.py", origin);
  handler.variables = {{"TOPIC", cfn::ref(kTopic)}, {"APP", cfn::ref("AWS::StackName")}};
  std::string function = logical_id(handler.name, "function");
  handler.grants = {consume_queue(r, function + "Mapping", queue_arn, function, 10, origin),
                    {{"sns:Publish"}, {cfn::ref(kTopic)}, origin}};
  render_function(r, handler);
  r.charts({"errors queue", "kinds/queue/charts.json", {{"name", "${" + std::string(kQueue) + ".QueueName}"}}});
  r.charts({"errors topic", "kinds/topic/charts.json", {{"name", "${" + std::string(kTopic) + ".TopicName}"}}});
  r.output(std::string(kTopic), cfn::ref(kTopic),
           "The ARN of the topic that tells of failed async invocations and stream batches: "
           "subscribe to it",
           origin);
  return queue_arn;
}

}  // namespace pareto
