#include "engine/moto.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <regex>

#include "embedded.hpp"

namespace pareto::engine {

namespace {
using nlohmann::ordered_json;
using Names = std::set<std::string, std::less<>>;

constexpr const char* kAlarm = "AWS::CloudWatch::Alarm";
// What moto's CloudFormation ignores of these types (or drops whole, for bucket policies), which
// `after_execute` applies through the services' APIs.
const std::map<std::string, std::vector<std::string>, std::less<>> kIgnoredSettings = {
    {"AWS::S3::Bucket",
     {"CorsConfiguration", "LifecycleConfiguration", "VersioningConfiguration",
      "WebsiteConfiguration"}},
    {"AWS::S3::BucketPolicy", {"Bucket", "PolicyDocument"}},
    {"AWS::DynamoDB::Table", {"TimeToLiveSpecification"}}};
constexpr size_t kDeleteAlarmsBatch = 100;  // DeleteAlarms takes 100 names at a time

// `node[key]` is the string `text`.
bool has_string(const ordered_json& node, const char* key, std::string_view text) {
  auto found = node.find(key);  // end() when node is not an object
  return found != node.end() && found->is_string() &&
         found->get_ref<const std::string&>() == text;
}

std::string type_of(const ordered_json& resource) {
  auto found = resource.find("Type");
  return found != resource.end() && found->is_string() ? found->get<std::string>() : "";
}

bool is_dropped(const ordered_json& name, const Names& dropped) {
  return name.is_string() && dropped.contains(name.get_ref<const std::string&>());
}

ordered_json depends_on(const ordered_json& resource) {
  auto found = resource.find("DependsOn");
  if (found == resource.end()) return ordered_json::array();
  if (found->is_string()) return ordered_json::array({*found});
  return found->is_array() ? *found : ordered_json::array();
}

// `text` with every match of `pattern` replaced by `replace(match)`.
template <typename Replace>
std::string replace_all(const std::string& text, const std::regex& pattern, Replace replace) {
  std::string out;
  auto last = text.cbegin();
  for (std::sregex_iterator it(text.cbegin(), text.cend(), pattern), end; it != end; ++it) {
    out.append(last, (*it)[0].first);
    out += replace(*it);
    last = (*it)[0].second;
  }
  out.append(last, text.cend());
  return out;
}

ordered_json get_att_target(const ordered_json& argument) {
  if (argument.is_string()) {
    const auto& text = argument.get_ref<const std::string&>();
    return text.substr(0, text.find('.'));
  }
  return argument.is_array() && !argument.empty() ? argument[0] : ordered_json();
}

// `node` with every reference to a dropped resource replaced by "local:<LogicalId>". Fn::Sub
// comes back in its short form when it has no variables, changed or not.
ordered_json unreference(const ordered_json& node, const Names& dropped) {
  static const std::regex kSubReference(R"(\$\{([A-Za-z0-9]+)(\.[A-Za-z0-9.]+)?\})");
  if (node.is_array()) {
    ordered_json out = ordered_json::array();
    for (const auto& item : node) out.push_back(unreference(item, dropped));
    return out;
  }
  if (!node.is_object()) return node;
  if (node.size() == 1) {
    const std::string& function = node.begin().key();
    const ordered_json& argument = node.begin().value();
    if (function == "Ref" && is_dropped(argument, dropped))
      return "local:" + argument.get<std::string>();
    if (function == "Fn::GetAtt") {
      ordered_json target = get_att_target(argument);
      if (is_dropped(target, dropped)) return "local:" + target.get<std::string>();
    }
    bool long_form = argument.is_array() && argument.size() == 2 && argument[0].is_string();
    if (function == "Fn::Sub" && (argument.is_string() || long_form)) {
      std::string text = replace_all(
          argument.is_string() ? argument.get<std::string>() : argument[0].get<std::string>(),
          kSubReference, [&](const std::smatch& match) {
            return dropped.contains(match[1].str()) ? "local:" + match[1].str() : match[0].str();
          });
      ordered_json variables =
          long_form ? unreference(argument[1], dropped) : ordered_json::object();
      return {{"Fn::Sub",
               variables.empty() ? ordered_json(text) : ordered_json::array({text, variables})}};
    }
  }
  ordered_json out = ordered_json::object();
  for (auto it = node.begin(); it != node.end(); ++it)
    out[it.key()] = unreference(it.value(), dropped);
  return out;
}

// A long-form Fn::Sub without variables counts as well, since it comes back in the short form:
// local.py compared the same way.
bool references(const ordered_json& node, const Names& dropped) {
  return unreference(node, dropped) != node;
}

// The logical ids, each after its DependsOn targets, otherwise in their order. A cycle is left
// for CloudFormation to report, and a target that is not a resource is skipped.
class DependencyOrder {
 public:
  explicit DependencyOrder(const ordered_json& resources) : resources_(resources) {
    for (auto it = resources.begin(); it != resources.end(); ++it) visit(it.key());
  }
  const std::vector<std::string>& ids() const { return order_; }

 private:
  void visit(const std::string& id) {
    if (placed_.contains(id) || path_.contains(id) || !resources_.contains(id)) return;
    path_.insert(id);
    for (const auto& target : depends_on(resources_.at(id)))
      if (target.is_string()) visit(target.get<std::string>());
    path_.erase(id);
    placed_.insert(id);
    order_.push_back(id);
  }

  const ordered_json& resources_;
  Names placed_;
  Names path_;
  std::vector<std::string> order_;
};

// The Lambda function a target or subscription names (its Fn::GetAtt Arn), if it is one.
bool names_function(const ordered_json& arn, const ordered_json& resources) {
  auto found = arn.find("Fn::GetAtt");
  if (found == arn.end()) return false;
  ordered_json target = get_att_target(*found);
  return target.is_string() && resources.contains(target.get<std::string>()) &&
         type_of(resources.at(target.get<std::string>())) == "AWS::Lambda::Function";
}

// pareto dev fires the functions itself: what would have moto invoke one goes, and the taps
// that deliver to pareto come in its place. Returns the resources to drop.
Names fired_by_pareto(ordered_json& resources, std::vector<std::string>& changes, bool root) {
  Names dropped;
  std::set<std::string> buses;
  ordered_json topics = ordered_json::array();
  int retargeted = 0;
  for (auto it = resources.begin(); it != resources.end(); ++it) {
    std::string type = type_of(it.value());
    ordered_json& properties = it.value()["Properties"];
    if (type == "AWS::Lambda::EventSourceMapping" ||
        (type == "AWS::SNS::Subscription" && has_string(properties, "Protocol", "lambda"))) {
      dropped.insert(it.key());
      if (type == "AWS::SNS::Subscription" && !topics.contains(properties["TopicArn"]))
        topics.push_back(properties["TopicArn"]);
    } else if (type == "AWS::Events::Rule") {
      // moto's PutEvents takes a schedule's rule, which has no pattern, to match every event.
      if (properties.contains("EventPattern"))
        buses.insert(properties.value("EventBusName", ordered_json("default")).dump());
      ordered_json kept = ordered_json::array();
      for (const auto& target : properties.value("Targets", ordered_json::array()))
        if (!names_function(target.value("Arn", ordered_json()), resources)) kept.push_back(target);
      if (kept.size() != properties.value("Targets", ordered_json::array()).size()) retargeted++;
      properties["Targets"] = std::move(kept);
    }
  }
  for (const auto& id : dropped)
    changes.push_back(fmt::format("dropped {} ({}): pareto dev fires it", id, type_of(resources.at(id))));
  if (retargeted > 0)
    changes.push_back(fmt::format("took the functions out of {} rules' targets: pareto dev "
                                  "matches the events", retargeted));
  auto queue = [&](std::string_view id) {
    resources[std::string(id)] = {{"Type", "AWS::SQS::Queue"}, {"Properties", ordered_json::object()}};
    return ordered_json{{"Fn::GetAtt", {std::string(id), "Arn"}}};
  };
  if (!root) buses.clear();
  ordered_json events = buses.empty() ? ordered_json() : queue(kDevEventsQueue);
  int tap = 0;
  for (const auto& bus : buses) {
    ordered_json rule = {{"EventPattern", {{"source", {{{"prefix", ""}}}}}},
                         {"Targets", {{{"Id", "pareto-dev"}, {"Arn", events}}}}};
    if (bus != "\"default\"") rule["EventBusName"] = ordered_json::parse(bus);
    resources[fmt::format("ParetoDevEventsRule{}", ++tap)] = {{"Type", "AWS::Events::Rule"},
                                                               {"Properties", rule}};
  }
  if (!topics.empty()) {
    ordered_json messages = queue(kDevTopicsQueue);
    tap = 0;
    for (const auto& topic : topics)
      resources[fmt::format("ParetoDevTopicsSubscription{}", ++tap)] = {
          {"Type", "AWS::SNS::Subscription"},
          {"Properties", {{"Protocol", "sqs"}, {"TopicArn", topic}, {"Endpoint", messages}}}};
  }
  if (!buses.empty())
    changes.push_back(fmt::format("added {}, which every bus event reaches", kDevEventsQueue));
  if (!topics.empty())
    changes.push_back(fmt::format("added {}, subscribed to the topics functions subscribe to",
                                  kDevTopicsQueue));
  return dropped;
}

// Drops, cleans up and reorders `resources` in place; returns the dropped logical ids.
Names adapt_resources(ordered_json& resources, std::vector<std::string>& changes, Firing firing) {
  Names dropped;
  for (auto it = resources.begin(); it != resources.end(); ++it)
    if (!moto_types().contains(type_of(it.value()))) dropped.insert(it.key());
  for (const auto& id : dropped)
    changes.push_back(
        fmt::format("dropped {} ({}): moto does not model it", id, type_of(resources.at(id))));
  if (firing != Firing::moto)
    dropped.merge(fired_by_pareto(resources, changes, firing == Firing::pareto_root));
  for (const auto& id : dropped) resources.erase(id);
  for (auto it = resources.begin(); it != resources.end(); ++it) {
    ordered_json& resource = it.value();
    if (resource.contains("DependsOn")) {
      ordered_json kept = ordered_json::array();
      for (const auto& name : depends_on(resource))
        if (!is_dropped(name, dropped)) kept.push_back(name);
      if (kept.empty())
        resource.erase("DependsOn");
      else
        resource["DependsOn"] = std::move(kept);
    }
    if (resource.contains("Properties"))
      resource["Properties"] = unreference(resource["Properties"], dropped);
    if (type_of(resource) != "AWS::ApiGateway::Method") continue;
    auto properties = resource.find("Properties");
    if (properties == resource.end()) continue;
    auto integration = properties->find("Integration");
    if (integration != properties->end() && has_string(*integration, "Type", "MOCK") &&
        !integration->contains("Uri")) {
      (*integration)["Uri"] = "local:mock";
      (*integration)["IntegrationHttpMethod"] = "POST";
      changes.push_back(fmt::format("gave MOCK method {} a placeholder Integration Uri", it.key()));
    }
  }
  std::vector<std::string> ids;
  for (auto it = resources.begin(); it != resources.end(); ++it) ids.push_back(it.key());
  DependencyOrder order(resources);
  if (order.ids() != ids) {
    ordered_json reordered = ordered_json::object();
    for (const auto& id : order.ids()) reordered[id] = std::move(resources[id]);
    resources = std::move(reordered);
    changes.push_back("ordered the resources so that DependsOn targets come first");
  }
  return dropped;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t end; (end = text.find(separator, start)) != std::string::npos; start = end + 1)
    parts.push_back(text.substr(start, end - start));
  parts.push_back(text.substr(start));
  return parts;
}

}  // namespace

const std::set<std::string, std::less<>>& moto_types() {
  static const auto types = json::parse(embedded("data/engine/moto-types.json"))
                                .get<std::set<std::string, std::less<>>>();
  return types;
}

Adapted adapt_for_moto(const ordered_json& templ, Firing firing) {
  Adapted adapted;
  adapted.templ = templ;
  if (auto resources = templ.find("Resources"); resources != templ.end()) {
    for (auto it = resources->begin(); it != resources->end(); ++it) {
      std::string type = type_of(it.value());
      ordered_json properties = it.value().value("Properties", ordered_json::object());
      if (type == kAlarm) adapted.through_api.alarms[it.key()] = properties;
      auto ignored = kIgnoredSettings.find(type);
      if (ignored == kIgnoredSettings.end()) continue;
      json settings = json::object();
      for (const auto& name : ignored->second)
        if (properties.contains(name)) settings[name] = properties[name];
      if (!settings.empty())
        adapted.through_api.settings[it.key()] = {{"Type", type}, {"Properties", settings}};
    }
  }
  Names dropped;
  if (auto resources = adapted.templ.find("Resources"); resources != adapted.templ.end())
    dropped = adapt_resources(*resources, adapted.changes, firing);
  if (auto outputs = adapted.templ.find("Outputs"); outputs != adapted.templ.end()) {
    std::vector<std::string> names;
    for (auto it = outputs->begin(); it != outputs->end(); ++it) names.push_back(it.key());
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      if (!references(outputs->at(name), dropped)) continue;
      outputs->erase(name);
      adapted.changes.push_back(
          fmt::format("dropped output {}: it names a dropped resource", name));
    }
  }
  return adapted;
}

Task<Resolver> Resolver::for_stack(Session& session, std::string stack_name) {
  json stacks = co_await session.call("cloudformation", "DescribeStacks", "StackName", stack_name);
  json request = {{"StackName", stack_name}};
  json summaries = co_await session.paginate("cloudformation", "ListStackResources", request,
                                             "StackResourceSummaries");
  const json& stack = stacks.at("Stacks").at(0);
  std::vector<std::string> arn = split(stack.at("StackId").get<std::string>(), ':');
  std::map<std::string, std::string>
      physical;  // also "LogicalId.Arn" of buckets (a bucket policy's)
  for (const auto& summary : summaries) {
    std::string id = summary.at("LogicalResourceId").get<std::string>();
    physical[id] = summary.value("PhysicalResourceId", "");
    if (summary.value("ResourceType", "") == "AWS::S3::Bucket")
      physical[id + ".Arn"] = fmt::format("arn:{}:s3:::{}", arn.at(1), physical[id]);
  }
  std::map<std::string, std::string> values;
  for (const auto& parameter : stack.value("Parameters", json::array()))
    values[parameter.at("ParameterKey").get<std::string>()] =
        parameter.at("ParameterValue").get<std::string>();
  values["AWS::StackName"] = stack_name;
  values["AWS::Partition"] = arn.at(1);
  values["AWS::Region"] = arn.at(3);
  values["AWS::AccountId"] = arn.at(4);
  co_return Resolver(std::move(physical), std::move(values));
}

std::string Resolver::name(const std::string& reference) const {
  if (auto found = physical_.find(reference); found != physical_.end()) return found->second;
  size_t dot = reference.find('.');
  std::string logical_id = reference.substr(0, dot);
  std::string attribute = dot == std::string::npos ? "" : reference.substr(dot + 1);
  if (attribute.empty()) {
    if (auto found = physical_.find(logical_id); found != physical_.end()) return found->second;
    if (auto found = values_.find(logical_id); found != values_.end()) return found->second;
    return "local:" + logical_id;
  }
  if (attribute == "QueueName") {  // a queue's physical id is its URL
    auto found = physical_.find(logical_id);
    std::string url = found == physical_.end() ? "" : found->second;
    return url.substr(url.rfind('/') + 1);  // npos + 1 is 0: the whole id when it has no '/'
  }
  return "local:" + reference;
}

json Resolver::operator()(const json& node) const {
  static const std::regex kSubVariable(R"(\$\{([A-Za-z0-9:]+(?:\.[A-Za-z0-9]+)?)\})");
  if (node.is_array()) {
    json out = json::array();
    for (const auto& item : node) out.push_back((*this)(item));
    return out;
  }
  if (!node.is_object()) return node;
  if (node.size() == 1) {
    const std::string& function = node.begin().key();
    const json& argument = node.begin().value();
    if (function == "Ref" && argument.is_string()) return name(argument.get<std::string>());
    if (function == "Fn::GetAtt" && argument.is_string()) return name(argument.get<std::string>());
    if (function == "Fn::GetAtt" && argument.is_array()) {
      std::string reference;
      for (size_t i = 0; i < argument.size(); ++i)
        reference += (i == 0 ? "" : ".") + argument[i].get<std::string>();
      return name(reference);
    }
    if (function == "Fn::Sub" && argument.is_string())
      return replace_all(argument.get<std::string>(), kSubVariable,
                         [this](const std::smatch& match) { return name(match[1].str()); });
  }
  json out = json::object();
  for (auto it = node.begin(); it != node.end(); ++it) out[it.key()] = (*this)(it.value());
  return out;
}

namespace {

// CloudFormation's spelling of a bucket's settings in the S3 API's, which names them otherwise.
json api_cors(const json& cors) {
  json rules = json::array();
  for (const auto& rule : cors.value("CorsRules", json::array())) {
    json out = json::object();
    for (const char* key : {"AllowedHeaders", "AllowedMethods", "AllowedOrigins"})
      if (rule.contains(key)) out[key] = rule[key];
    if (rule.contains("ExposedHeaders")) out["ExposeHeaders"] = rule["ExposedHeaders"];
    if (rule.contains("MaxAge")) out["MaxAgeSeconds"] = rule["MaxAge"];
    if (rule.contains("Id")) out["ID"] = rule["Id"];
    rules.push_back(out);
  }
  return {{"CORSRules", rules}};
}

json api_lifecycle(const json& lifecycle) {
  json rules = json::array();
  for (const auto& rule : lifecycle.value("Rules", json::array())) {
    json out = {{"Status", rule.value("Status", "Enabled")},
                {"Filter", {{"Prefix", rule.value("Prefix", "")}}}};
    if (rule.contains("Id")) out["ID"] = rule["Id"];
    if (rule.contains("ExpirationInDays")) out["Expiration"] = {{"Days", rule["ExpirationInDays"]}};
    if (rule.contains("NoncurrentVersionExpiration"))
      out["NoncurrentVersionExpiration"] = rule["NoncurrentVersionExpiration"];
    if (rule.contains("AbortIncompleteMultipartUpload"))
      out["AbortIncompleteMultipartUpload"] = rule["AbortIncompleteMultipartUpload"];
    json transitions = json::array();
    for (const auto& transition : rule.value("Transitions", json::array()))
      transitions.push_back({{"Days", transition.value("TransitionInDays", json())},
                             {"StorageClass", transition.value("StorageClass", json())}});
    if (!transitions.empty()) out["Transitions"] = transitions;
    rules.push_back(out);
  }
  return {{"Rules", rules}};
}

json api_website(const json& website) {
  json out = json::object();
  if (website.contains("IndexDocument"))
    out["IndexDocument"] = {{"Suffix", website["IndexDocument"]}};
  if (website.contains("ErrorDocument")) out["ErrorDocument"] = {{"Key", website["ErrorDocument"]}};
  return out;
}

// One resource's settings through its service's API; returns how many calls that took.
Task<size_t> apply_settings(Session& session, const Resolver& resolve, const std::string& id,
                            const json& resource) {
  std::string type = resource.value("Type", "");
  json properties = resolve(resource.value("Properties", json::object()));
  std::vector<std::tuple<const char*, const char*, json>> calls;  // service, operation, params
  if (type == "AWS::DynamoDB::Table") {
    calls.emplace_back("dynamodb", "UpdateTimeToLive",
                       json{{"TableName", resolve.name(id)},
                            {"TimeToLiveSpecification", properties["TimeToLiveSpecification"]}});
  } else if (type == "AWS::S3::BucketPolicy") {
    calls.emplace_back(
        "s3", "PutBucketPolicy",
        json{{"Bucket", properties["Bucket"]}, {"Policy", properties["PolicyDocument"].dump()}});
  } else {
    json bucket = resolve.name(id);
    if (properties.contains("VersioningConfiguration"))
      calls.emplace_back("s3", "PutBucketVersioning",
                         json{{"Bucket", bucket},
                              {"VersioningConfiguration", properties["VersioningConfiguration"]}});
    if (properties.contains("CorsConfiguration"))
      calls.emplace_back("s3", "PutBucketCors",
                         json{{"Bucket", bucket},
                              {"CORSConfiguration", api_cors(properties["CorsConfiguration"])}});
    if (properties.contains("LifecycleConfiguration"))
      calls.emplace_back(
          "s3", "PutBucketLifecycleConfiguration",
          json{{"Bucket", bucket},
               {"LifecycleConfiguration", api_lifecycle(properties["LifecycleConfiguration"])}});
    if (properties.contains("WebsiteConfiguration"))
      calls.emplace_back(
          "s3", "PutBucketWebsite",
          json{{"Bucket", bucket},
               {"WebsiteConfiguration", api_website(properties["WebsiteConfiguration"])}});
  }
  for (auto& [service, operation, params] : calls)
    co_await session.call(service, operation, std::move(params));
  co_return calls.size();
}

}  // namespace

Task<std::vector<std::string>> after_execute(Session& session, std::string stack_name,
                                             ThroughApi through_api) {
  json update = {{"StackName", stack_name},
                 {"UsePreviousTemplate", true},
                 {"Capabilities", {"CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"}}};
  co_await session.call("cloudformation", "UpdateStack", std::move(update));
  std::vector<std::string> notes;
  if (through_api.alarms.empty() && through_api.settings.empty()) co_return notes;
  Resolver resolve = co_await Resolver::for_stack(session, stack_name);
  const json& alarms = through_api.alarms;
  for (auto it = alarms.begin(); it != alarms.end(); ++it) {  // json objects iterate sorted
    json params = resolve(it.value());
    params["AlarmName"] = stack_name + "-" + it.key();
    co_await session.call("cloudwatch", "PutMetricAlarm", std::move(params));
  }
  if (!alarms.empty())
    notes.push_back(
        fmt::format("created {} alarms through CloudWatch's API, named {}-<LogicalId>: "
                    "moto's CloudFormation does not model them",
                    alarms.size(), stack_name));
  size_t calls = 0;
  std::vector<std::string> ids;
  for (auto it = through_api.settings.begin(); it != through_api.settings.end(); ++it) {
    calls += co_await apply_settings(session, resolve, it.key(), it.value());
    ids.push_back(it.key());
  }
  if (!ids.empty())
    notes.push_back(
        fmt::format("applied the settings of {} through the APIs ({} calls): moto's "
                    "CloudFormation ignores them",
                    fmt::join(ids, ", "), calls));
  co_return notes;
}

Task<void> before_destroy(Session& session, std::string stack_name) {
  json request = {{"AlarmNamePrefix", stack_name + "-"}};
  json alarms = co_await session.paginate("cloudwatch", "DescribeAlarms", request, "MetricAlarms");
  for (size_t start = 0; start < alarms.size(); start += kDeleteAlarmsBatch) {
    json names = json::array();
    for (size_t i = start; i < std::min(alarms.size(), start + kDeleteAlarmsBatch); ++i)
      names.push_back(alarms[i].at("AlarmName"));
    co_await session.call("cloudwatch", "DeleteAlarms", "AlarmNames", std::move(names));
  }
}

}  // namespace pareto::engine
