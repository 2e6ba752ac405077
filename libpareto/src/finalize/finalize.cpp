#include "finalize/finalize.hpp"

#include <fmt/format.h>

#include <map>
#include <regex>

#include "embedded.hpp"
#include "names.hpp"

namespace pareto {
using nlohmann::json;

const json& parameter_defaults() {
  static const json defaults = json::parse(embedded("data/parameters.json"));
  return defaults;
}

namespace {

// Every open Ref becomes a parameter when pareto knows it; anything else is a broken reference.
void resolve_references(Template& t, Diagnostics& errors) {
  auto check = [&](const std::string& from, const json& value) {
    References found = references(value);
    for (const auto& name : found.refs) {
      if (t.resources.contains(name) || t.parameters.contains(name) || is_pseudo_parameter(name))
        continue;
      if (parameter_defaults().contains(name)) {
        t.parameters[name] = parameter_defaults()[name];
        continue;
      }
      report(errors, origin_in(t.origins, from), check::kUnresolved,
             fmt::format("{} refers to {}, which the template does not define", from, name));
    }
    for (const auto& name : found.attributes)
      if (!t.resources.contains(name))
        report(errors, origin_in(t.origins, from), check::kUnresolved,
               fmt::format("{} reads an attribute of {}, which is not a resource", from, name));
    for (const auto& name : found.depends_on)
      if (!t.resources.contains(name))
        report(errors, origin_in(t.origins, from), check::kUnresolved,
               fmt::format("{} depends on {}, which is not a resource", from, name));
  };
  for (const auto& [id, resource] : t.resources.items()) check(id, resource);
  for (const auto& [id, output] : t.outputs.items()) check(id, output);
}

// The app's "parameters:" set the defaults of the template's parameters, within their bounds.
void apply_user_parameters(Template& t, const json& user, Diagnostics& errors) {
  std::vector<std::string> known;
  for (const auto& [id, _] : t.parameters.items()) known.push_back(id);
  for (const auto& [key, value] : user.items()) {
    std::string at = "/parameters/" + pointer_escape(key), id = pascal_case(key);
    if (!t.parameters.contains(id)) {
      std::vector<std::string> keys;
      for (const auto& k : known) {
        std::string hyphenated;
        for (char c : k) {
          if (std::isupper(static_cast<unsigned char>(c)) && !hyphenated.empty()) hyphenated += '-';
          hyphenated += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        keys.push_back(hyphenated);
      }
      std::string hint = nearest(key, keys);
      report(errors, at, check::kParameter,
             fmt::format("the template has no parameter {}{}", id,
                         hint.empty() ? fmt::format(" (it has {})", join_names(known, " and "))
                                      : fmt::format("; did you mean \"{}\"?", hint)));
      continue;
    }
    json& parameter = t.parameters[id];
    std::string text = text_of(value);
    if (parameter["Type"] == "Number") {
      if (!value.is_number()) {
        report(errors, at, check::kParameter, fmt::format("{} takes a number", id));
        continue;
      }
      double n = value.get<double>();
      if ((parameter.contains("MinValue") && n < parameter["MinValue"].get<double>()) ||
          (parameter.contains("MaxValue") && n > parameter["MaxValue"].get<double>())) {
        report(errors, at, check::kParameter,
               fmt::format("{} must be within {}..{}", id, parameter["MinValue"].dump(),
                           parameter["MaxValue"].dump()));
        continue;
      }
    }
    if (parameter.contains("AllowedValues")) {
      const json& allowed = parameter["AllowedValues"];
      if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
        report(errors, at, check::kParameter,
               fmt::format("{} must be one of {}", id, allowed.dump()));
        continue;
      }
    }
    if (parameter.contains("AllowedPattern") && text.size() < 256 &&
        !std::regex_match(text, std::regex(parameter["AllowedPattern"].get<std::string>()))) {
      report(errors, at, check::kParameter,
             fmt::format("{} must match {}", id, parameter["AllowedPattern"].get<std::string>()));
      continue;
    }
    parameter["Default"] = value.is_number() ? value : json(text);
  }
}

void check_cycles(const Template& t, Diagnostics& errors) {
  std::map<std::string, std::vector<std::string>> edges;
  for (const auto& [id, resource] : t.resources.items())
    for (const auto& target : references(resource).all())
      if (t.resources.contains(target)) edges[id].push_back(target);
  enum class State { kNew, kOpen, kDone };
  std::map<std::string, State> state;
  std::vector<std::string> path;
  std::function<void(const std::string&)> visit = [&](const std::string& id) {
    state[id] = State::kOpen;
    path.push_back(id);
    for (const auto& next : edges[id]) {
      if (state[next] == State::kOpen) {
        auto begin = std::find(path.begin(), path.end(), next);
        std::vector<std::string> cycle(begin, path.end());
        cycle.push_back(next);
        report(errors, origin_in(t.origins, next), check::kCycle,
               fmt::format("resources depend on each other in a cycle: {}",
                           fmt::join(cycle, " → ")));
      } else if (state[next] == State::kNew) {
        visit(next);
      }
    }
    path.pop_back();
    state[id] = State::kDone;
  };
  for (const auto& [id, _] : t.resources.items())
    if (state[id] == State::kNew) visit(id);
}

void check_quotas(const Template& t, Diagnostics& errors) {
  for (const json* entries : {&t.resources, &t.parameters, &t.outputs})
    for (const auto& [id, _] : entries->items()) {
      bool alphanumeric = std::all_of(id.begin(), id.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0;
      });
      if (!alphanumeric || id.empty() || id.size() > kMaxLogicalId)
        report(errors, origin_in(t.origins, id), check::kLogicalId,
               fmt::format("the logical id {} must be alphanumeric and at most {} characters",
                           id.substr(0, 64), kMaxLogicalId));
    }
  // Lambda keeps each function's permissions in one resource policy; statements estimated.
  std::map<std::string, size_t> policy;
  for (const auto& [id, resource] : t.resources.items()) {
    if (resource.value("Type", "") == "AWS::Events::Rule" &&
        resource["Properties"].value("Targets", json::array()).size() > kMaxRuleTargets)
      report(errors, origin_in(t.origins, id), check::kRuleTargets,
             fmt::format("the rule {} has more than {} targets", id, kMaxRuleTargets));
    if (resource.value("Type", "") == "AWS::Lambda::Permission")
      for (const auto& target : references(resource["Properties"]["FunctionName"]).all())
        policy[target] += kPermissionStatementBytes;
  }
  for (const auto& [function, size] : policy)
    if (size > kMaxFunctionPolicy)
      report(errors, origin_in(t.origins, function), check::kResourcePolicy,
             fmt::format("about {} bytes of invoke permissions on {}; Lambda allows {}: fewer "
                         "triggers for this action", size, function, kMaxFunctionPolicy));
}

}  // namespace

void finalize(Template& out, const json& user_parameters, Diagnostics& errors) {
  resolve_references(out, errors);
  apply_user_parameters(out, user_parameters, errors);
  check_cycles(out, errors);
  check_quotas(out, errors);
}

}  // namespace pareto
