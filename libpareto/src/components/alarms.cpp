#include "components/alarms.hpp"

#include "components/function.hpp"
#include "names.hpp"

namespace pareto {
using nlohmann::json;

namespace {

constexpr std::string_view kOwnTopic = "AlarmsTopic";
constexpr std::string_view kLogAlerts = "log-alerts";  // its own logs are not watched
constexpr int kPeriodSeconds = 300;
// Words of the lines worth a look: logged errors and warnings, and Lambda's own timeout line.
constexpr std::string_view kLogPattern =
    R"(?ERROR ?Error ?WARN ?Warning ?"Task timed out")";

// The alarms topic's ARN, rendering the app's own topic (and the e-mail subscription) once.
json alarms_topic(Renderer& r) {
  const json& options = r.options("alarms");
  if (options.contains("topic")) return cfn::ref(logical_id(options["topic"].get<std::string>(), "topic"));
  if (!r.has(std::string(kOwnTopic))) {
    r.resource(std::string(kOwnTopic),
               {{"Type", "AWS::SNS::Topic"},
                {"Properties", {{"TopicName", r.physical_name("alarms")}}}},
               "/alarms");
    r.output(std::string(kOwnTopic), cfn::ref(kOwnTopic),
             "The ARN of the topic that receives alarms and log alerts: subscribe to it", "/alarms");
  }
  return cfn::ref(kOwnTopic);
}

}  // namespace

void check_alarms(Checker& c) {
  const json& config = c.model().config;
  if (config.contains("alarms") && config["alarms"].contains("topic"))
    c.require("topics", config["alarms"]["topic"].get<std::string>(), "/alarms/topic");
}

void alarm(Renderer& r, const std::string& id, std::string description, json metric,
           const char* threshold, double scale, const std::string& origin) {
  const json& options = r.options("alarms");
  if (options.is_null()) return;
  json topic = alarms_topic(r);
  if (options.contains("email") && !r.has("AlarmsEmailSubscription"))
    r.resource("AlarmsEmailSubscription",
               {{"Type", "AWS::SNS::Subscription"},
                {"Properties", {{"TopicArn", topic}, {"Protocol", "email"}, {"Endpoint", options["email"]}}}},
               "/alarms/email");
  json properties = {{"AlarmDescription", std::move(description)},
                     {"Threshold", options["thresholds"][threshold].get<double>() * scale},
                     {"ComparisonOperator", "GreaterThanOrEqualToThreshold"},
                     {"EvaluationPeriods", 1},
                     {"TreatMissingData", "notBreaching"},
                     {"AlarmActions", {topic}},
                     {"OKActions", {topic}}};
  if (!metric.contains("Metrics")) metric["Period"] = kPeriodSeconds;
  properties.update(metric);
  r.resource(id, {{"Type", "AWS::CloudWatch::Alarm"}, {"Properties", properties}}, origin);
}

void watch_logs(Renderer& r, const std::string& function, const std::string& log_group,
                const std::string& origin) {
  const json& options = r.options("alarms");
  std::string alerts = logical_id(kLogAlerts, "function");
  if (options.is_null() || !options["logs"].get<bool>() || function == alerts) return;
  if (!r.has(alerts)) {
    Function f = helper_function(std::string(kLogAlerts), "data/inline/alerts.py", "/alarms/logs");
    json topic = alarms_topic(r);
    f.variables = {{"TOPIC", topic}, {"APP", cfn::ref("AWS::StackName")}};
    if (options["webhook"].get<bool>()) {
      r.parameter("AlarmsWebhookUrl",
                  {{"Type", "String"},
                   {"NoEcho", true},
                   {"Default", ""},
                   {"AllowedPattern", "^(https://.+)?$"},
                   {"Description", "A Slack-compatible webhook URL that log alerts are posted to"}},
                  "/alarms/webhook");
      f.variables["WEBHOOK"] = cfn::ref("AlarmsWebhookUrl");
    }
    f.grants = {{{"sns:Publish"}, {topic}, "/alarms/logs"}};
    render_function(r, f);
    // One permission for every log group of the stack's functions keeps the function's
    // resource policy small however many functions there are.
    r.resource(alerts + "Permission",
               {{"Type", "AWS::Lambda::Permission"},
                {"Properties",
                 {{"Action", "lambda:InvokeFunction"},
                  {"FunctionName", cfn::get_att(alerts, "Arn")},
                  {"Principal", "logs.amazonaws.com"},
                  {"SourceAccount", cfn::ref("AWS::AccountId")},
                  {"SourceArn", cfn::sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:"
                                         "log-group:/aws/lambda/" + r.model().app +
                                         "-${StageName}-*:*")}}}},
               "/alarms/logs");
  }
  r.resource(function + "LogAlerts",
             {{"Type", "AWS::Logs::SubscriptionFilter"},
              {"DependsOn", alerts + "Permission"},
              {"Properties", {{"LogGroupName", cfn::ref(log_group)},
                              {"FilterPattern", kLogPattern},
                              {"DestinationArn", cfn::get_att(alerts, "Arn")}}}},
             origin);
}

}  // namespace pareto
