// Lambda's runtimes as an action names them: a family ("python", "nodejs"), whose version the
// stack's parameter gives (RuntimeVersion, NodejsVersion), or a runtime of its own
// ("python3.13", "nodejs22.x") from the registry in data/runtimes.json.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace pareto {

struct Runtime {
  std::string family;   // "python" | "nodejs"
  std::string version;  // "3.13" | "22"; "" when the stack's parameter gives it
};

Runtime runtime_of(const std::string& name);

// Why an action cannot name `name` (unknown, or deprecated by Lambda, with its date and the
// runtimes to move to); nullopt when it can.
std::optional<std::string> runtime_problem(const std::string& name);

// The function's Runtime property: "python3.13", or {"Fn::Sub": "python${RuntimeVersion}"}.
nlohmann::json runtime_property(const Runtime& runtime);

}  // namespace pareto
