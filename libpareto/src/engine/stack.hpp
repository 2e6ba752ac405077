// The app's stack as the engine finds it: where it is, and the reads every command shares.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/session.hpp"

namespace pareto::engine {

// Where the commands act: the stack <app>-<stage> in a region, on AWS or on the emulator.
struct Target {
  std::string app;
  std::string stage;
  std::string stack;   // <app>-<stage>
  std::string region;  // as the host's SDK resolved it
  bool local = false;  // moto's server: the compatibility pass applies
  std::string endpoint{};  // the emulator's URL, when local
  bool dev = false;    // pareto dev runs the handlers: moto fires none of them
  int64_t poll_ms = 3000;
};

inline constexpr std::string_view kNestedStackType = "AWS::CloudFormation::Stack";

// The stack, or nothing when there is none.
Task<std::optional<json>> describe_stack(Session& session, std::string name);
// Its resources (every page: DescribeStackResources stops at 100).
Task<json> stack_resources(Session& session, std::string name);
// The physical ids of its nested stacks, in the order of its resources.
Task<std::vector<std::string>> nested_stacks(Session& session, std::string name);
// Stops with "there is no stack NAME" when it is not there.
Task<json> require_stack(Session& session, std::string name);
// The account's artifacts bucket for the region, pareto-artifacts-<account>-<region>; made when
// `create` and missing (with a note on stderr).
Task<std::string> artifacts_bucket(Session& session, const Target& target, bool create);

// A CloudFormation timestamp (ISO 8601 from every host) as "YYYY-MM-DD HH:MM:SS" UTC.
std::string short_time(const json& timestamp);
// The same timestamp as epoch milliseconds; nullopt if it is not one.
std::optional<int64_t> epoch_ms(const json& timestamp);

}  // namespace pareto::engine
