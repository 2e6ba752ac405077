#include "components/runtime.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <vector>

#include "components/kind.hpp"
#include "embedded.hpp"
#include "names.hpp"

namespace pareto {
using nlohmann::json;

namespace {

const json& registry() {
  static const json runtimes = json::parse(embedded("data/runtimes.json"));
  return runtimes;
}

}  // namespace

Runtime runtime_of(const std::string& name) {
  const json& supported = registry()["supported"];
  if (supported.contains(name))
    return {supported[name]["family"].get<std::string>(), supported[name]["version"].get<std::string>()};
  return {name.rfind("nodejs", 0) == 0 ? "nodejs" : "python", ""};
}

std::optional<std::string> runtime_problem(const std::string& name) {
  const json& supported = registry()["supported"];
  if (name == "python" || name == "nodejs" || supported.contains(name)) return std::nullopt;
  std::string family = runtime_of(name).family;
  std::vector<std::string> choices{family};
  for (const auto& [runtime, about] : supported.items())
    if (about["family"] == family) choices.push_back(runtime);
  const json& deprecated = registry()["deprecated"];
  if (deprecated.contains(name))
    return fmt::format("Lambda deprecated {} on {}: use one of {}", name,
                       deprecated[name].get<std::string>(), fmt::join(choices, ", "));
  std::vector<std::string> all{"python", "nodejs"};
  for (const auto& [runtime, _] : supported.items()) all.push_back(runtime);
  std::string hint = nearest(name, all);
  return fmt::format("\"{}\" is not a runtime Lambda runs: {}", name,
                     hint.empty() ? fmt::format("one of {}", fmt::join(all, ", "))
                                  : fmt::format("did you mean \"{}\"?", hint));
}

json runtime_property(const Runtime& runtime) {
  if (!runtime.version.empty())
    return runtime.family == "nodejs" ? "nodejs" + runtime.version + ".x" : "python" + runtime.version;
  return cfn::sub(runtime.family == "nodejs" ? "nodejs${NodejsVersion}.x" : "python${RuntimeVersion}");
}

}  // namespace pareto
