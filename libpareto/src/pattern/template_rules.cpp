#include "pattern/template_rules.hpp"

#include <map>
#include <optional>

namespace pareto::pattern {
using nlohmann::json;

namespace {

using Values = std::map<std::string, std::string>;

// The value of ${name} / Ref name, when the template alone decides it.
std::optional<std::string> lookup(const Values& values, const std::string& name) {
  auto it = values.find(name);
  return it == values.end() ? std::nullopt : std::optional(it->second);
}

// `value` with its intrinsics evaluated; the reason it cannot be, in `why`.
json resolve(const json& value, const Values& values, std::string& why) {
  if (value.is_array()) {
    json out = json::array();
    for (const auto& v : value) out.push_back(resolve(v, values, why));
    return out;
  }
  if (!value.is_object()) return value;
  if (value.size() == 1 && value.contains("Ref")) {
    if (auto v = lookup(values, value["Ref"].get<std::string>())) return *v;
    why = "it refers to " + value["Ref"].get<std::string>() + ", known only once deployed";
    return nullptr;
  }
  if (value.size() == 1 && value.contains("Fn::Sub") && value["Fn::Sub"].is_string()) {
    std::string text = value["Fn::Sub"], out;
    for (size_t i = 0; i < text.size();) {
      size_t open = text.find("${", i);
      if (open == std::string::npos) { out += text.substr(i); break; }
      size_t close = text.find('}', open);
      if (close == std::string::npos) { out += text.substr(i); break; }
      out += text.substr(i, open - i);
      std::string name = text.substr(open + 2, close - open - 2);
      if (!name.empty() && name[0] == '!') {
        out += "${" + name.substr(1) + "}";
      } else if (auto v = lookup(values, name)) {
        out += *v;
      } else {
        why = "it uses ${" + name + "}, known only once deployed";
        return nullptr;
      }
      i = close + 1;
    }
    return out;
  }
  if (value.size() == 1 && value.begin().key().rfind("Fn::", 0) == 0) {
    why = "it uses " + value.begin().key() + ", known only once deployed";
    return nullptr;
  }
  json out = json::object();
  for (const auto& [key, v] : value.items()) out[key] = resolve(v, values, why);
  return out;
}

}  // namespace

json template_rules(const json& cloudformation, const std::string& stack, const std::string& stage) {
  Values values{{"AWS::Region", "us-east-1"},       {"AWS::AccountId", "123456789012"},
                {"AWS::Partition", "aws"},          {"AWS::URLSuffix", "amazonaws.com"},
                {"AWS::StackName", stack},          {"StageName", stage}};
  const json none = json::object();
  const json& parameters = cloudformation.contains("Parameters") ? cloudformation["Parameters"] : none;
  const json& resources = cloudformation.contains("Resources") ? cloudformation["Resources"] : none;
  for (const auto& [name, parameter] : parameters.items())
    if (name != "StageName" && parameter.contains("Default"))
      values[name] = parameter["Default"].is_string() ? parameter["Default"].get<std::string>()
                                                       : parameter["Default"].dump();
  // Resources whose Ref is the name the template gives them.
  static const std::map<std::string, std::string> kNamed{
      {"AWS::S3::Bucket", "BucketName"}, {"AWS::DynamoDB::Table", "TableName"},
      {"AWS::Lambda::Function", "FunctionName"}, {"AWS::CodeBuild::Project", "Name"}};
  for (const auto& [id, resource] : resources.items()) {
    auto named = kNamed.find(resource.value("Type", ""));
    if (named == kNamed.end() || !resource.contains("Properties") ||
        !resource["Properties"].contains(named->second))
      continue;
    std::string why;
    json name = resolve(resource["Properties"][named->second], values, why);
    if (why.empty() && name.is_string()) values[id] = name;
  }
  json out = {{"rules", json::object()}, {"skipped", json::object()}};
  for (const auto& [id, resource] : resources.items()) {
    if (resource.value("Type", "") != "AWS::Events::Rule" || !resource.contains("Properties") ||
        !resource["Properties"].contains("EventPattern"))
      continue;
    const json& properties = resource["Properties"];
    std::string why;
    json pattern = resolve(properties["EventPattern"], values, why);
    if (why.empty())
      out["rules"][id] = std::move(pattern);
    else
      out["skipped"][id] = why;
  }
  return out;
}

}  // namespace pareto::pattern
