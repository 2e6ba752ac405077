// topics: an SNS topic whose messages invoke one action.
#include "kinds/action/action.hpp"

namespace pareto {
using nlohmann::json;

namespace {

void validate(Checker& c, const Component& topic) {
  c.name_length(topic, "topic", 0, 80);
  std::string action = topic.string("action");
  if (c.require("actions", action, topic.pointer + "/action"))
    c.bind(action, topic.pointer + "/action", "topic " + topic.name);
}

void render(Renderer& r, const Component& topic) {
  std::string action = topic.string("action");
  r.resource(topic.id(),
             {{"Type", "AWS::SNS::Topic"},
              {"Properties", {{"TopicName", r.physical_name(topic.name)}}}},
             topic.pointer);
  r.resource(topic.id("topic-subscription"),
             {{"Type", "AWS::SNS::Subscription"},
              {"Properties", {{"TopicArn", cfn::ref(topic.id())},
                              {"Protocol", "lambda"},
                              {"Endpoint", cfn::get_att(function_id(action), "Arn")}}}},
             topic.pointer);
  r.resource(topic.id("topic-permission"),
             invoke_permission(action, "sns.amazonaws.com", cfn::ref(topic.id())), topic.pointer);
  r.output(topic.id(), cfn::ref(topic.id()), "The ARN of topic " + topic.name, topic.pointer);
  r.charts({"topic " + topic.name, "kinds/topic/charts.json", {{"name", "${" + topic.id() + ".TopicName}"}}});
}

json variable(const Component& topic) { return cfn::ref(topic.id()); }

std::vector<json> arns(const Component& topic) { return {cfn::ref(topic.id())}; }

}  // namespace

extern const Kind kTopicKind{.key = "topics", .noun = "topic", .suffix = "topic", .service = "sns",
                             .check = validate, .render = render, .variable = variable,
                             .arns = arns};

}  // namespace pareto
