#include "render/template.hpp"

namespace pareto {
using nlohmann::json;

json Template::to_json() const& { return Template(*this).to_json(); }

json Template::to_json() && {
  json out = {{"AWSTemplateFormatVersion", "2010-09-09"}, {"Description", description}};
  if (!metadata.empty()) out["Metadata"] = std::move(metadata);
  if (!parameters.empty()) out["Parameters"] = std::move(parameters);
  out["Resources"] = std::move(resources);
  if (!outputs.empty()) out["Outputs"] = std::move(outputs);
  return out;
}

std::string Template::dump() const& { return to_json().dump(2) + "\n"; }
std::string Template::dump() && { return std::move(*this).to_json().dump(2) + "\n"; }

std::set<std::string> References::all() const {
  std::set<std::string> out = refs;
  out.insert(attributes.begin(), attributes.end());
  out.insert(depends_on.begin(), depends_on.end());
  return out;
}

bool is_pseudo_parameter(std::string_view name) { return name.rfind("AWS::", 0) == 0; }

std::set<std::string> sub_variables(std::string_view text) {
  std::set<std::string> out;
  for (size_t at = text.find("${"); at != std::string_view::npos; at = text.find("${", at)) {
    size_t end = text.find('}', at);
    if (end == std::string_view::npos) break;
    std::string_view inner = text.substr(at + 2, end - at - 2);
    if (!inner.empty() && inner[0] != '!') out.emplace(inner);
    at = end;
  }
  return out;
}

namespace {

void add_name(References& out, const std::string& name) {
  size_t dot = name.find('.');
  if (dot == std::string::npos) {
    out.refs.insert(name);
  } else {
    out.attributes.insert(name.substr(0, dot));
    out.attribute_reads.emplace(name.substr(0, dot), name.substr(dot + 1));
  }
}

void collect(const json& value, References& out) {
  if (value.is_array()) {
    for (const auto& item : value) collect(item, out);
    return;
  }
  if (!value.is_object()) return;
  if (value.size() == 1) {
    const std::string& key = value.begin().key();
    const json& arg = value.begin().value();
    if (key == "Ref" && arg.is_string()) {
      out.refs.insert(arg.get<std::string>());
      return;
    }
    if (key == "Fn::GetAtt") {
      if (arg.is_array() && arg.size() == 2 && arg[0].is_string() && arg[1].is_string())
        add_name(out, arg[0].get<std::string>() + "." + arg[1].get<std::string>());
      else if (arg.is_array() && !arg.empty() && arg[0].is_string())
        out.attributes.insert(arg[0].get<std::string>());
      else if (arg.is_string())
        add_name(out, arg.get<std::string>());
      return;
    }
    if (key == "Fn::Sub") {
      const json& text = arg.is_array() && !arg.empty() ? arg[0] : arg;
      std::set<std::string> local;
      if (arg.is_array() && arg.size() > 1 && arg[1].is_object()) {
        for (const auto& [name, sub] : arg[1].items()) {
          local.insert(name);
          collect(sub, out);
        }
      }
      if (text.is_string())
        for (const auto& name : sub_variables(text.get<std::string>()))
          if (!local.count(name.substr(0, name.find('.')))) add_name(out, name);
      return;
    }
  }
  for (const auto& [key, child] : value.items()) {
    if (key == "DependsOn") {
      for (const auto& d : child.is_array() ? child : json::array({child}))
        if (d.is_string()) out.depends_on.insert(d.get<std::string>());
      continue;
    }
    collect(child, out);
  }
}

}  // namespace

References references(const json& value) {
  References out;
  collect(value, out);
  return out;
}

std::string origin_in(const std::map<std::string, std::string>& origins, const std::string& id) {
  auto it = origins.find(id);
  return it == origins.end() ? std::string() : it->second;
}

std::string text_of(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

bool holds_data(std::string_view resource_type) {
  static const std::set<std::string, std::less<>> kTypes = {
      "AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::SQS::Queue", "AWS::Cognito::UserPool",
      "AWS::SecretsManager::Secret"};
  return kTypes.count(resource_type) > 0;
}

}  // namespace pareto
