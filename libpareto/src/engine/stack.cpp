#include "engine/stack.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>

namespace pareto::engine {

Task<std::optional<json>> describe_stack(Session& session, std::string name) {
  try {
    json answer = co_await session.call("cloudformation", "DescribeStacks", "StackName", name);
    if (answer.contains("Stacks") && !answer["Stacks"].empty())
      co_return std::optional<json>(answer["Stacks"][0]);
    co_return std::nullopt;
  } catch (const AwsError& error) {
    if (!error.missing()) throw;
  }
  co_return std::nullopt;
}

Task<json> stack_resources(Session& session, std::string name) {
  json request = {{"StackName", name}};
  co_return co_await session.paginate("cloudformation", "ListStackResources", request,
                                      "StackResourceSummaries");
}

Task<std::vector<std::string>> nested_stacks(Session& session, std::string name) {
  std::vector<std::string> out;
  json resources = co_await stack_resources(session, name);
  for (const auto& resource : resources)
    if (resource.value("ResourceType", "") == kNestedStackType &&
        !resource.value("PhysicalResourceId", "").empty())
      out.push_back(resource["PhysicalResourceId"]);
  co_return out;
}

Task<json> require_stack(Session& session, std::string name) {
  std::optional<json> stack = co_await describe_stack(session, name);
  if (!stack) throw Stop(fmt::format("there is no stack {}", name));
  co_return *stack;
}

Task<std::string> artifacts_bucket(Session& session, const Target& target, bool create) {
  json identity = co_await session.call("sts", "GetCallerIdentity");
  std::string bucket =
      fmt::format("pareto-artifacts-{}-{}", identity.value("Account", ""), target.region);
  try {
    co_await session.call("s3", "HeadBucket", "Bucket", bucket);
    co_return bucket;
  } catch (const AwsError& error) {
    if (!error.missing() && error.status != 403) throw;
  }
  if (!create) throw Stop(fmt::format("there is no artifacts bucket {}", bucket));
  co_await session.err(fmt::format("creating the artifacts bucket {}\n", bucket));
  json params = {{"Bucket", bucket}};
  if (target.region != "us-east-1")
    params["CreateBucketConfiguration"] = {{"LocationConstraint", target.region}};
  co_await session.call("s3", "CreateBucket", params);
  co_return bucket;
}

std::optional<int64_t> epoch_ms(const json& timestamp) {
  if (!timestamp.is_string()) return std::nullopt;
  const std::string text = timestamp;
  int year = 0;
  unsigned month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (std::sscanf(text.c_str(), "%4d-%2u-%2uT%2u:%2u:%2u", &year, &month, &day, &hour, &minute,
                  &second) != 6)
    return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{month},
                                         std::chrono::day{day}};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  const auto at = std::chrono::sys_days{date} + std::chrono::hours{hour} +
                  std::chrono::minutes{minute} + std::chrono::seconds{second};
  return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

std::string short_time(const json& timestamp) {
  if (!timestamp.is_string()) return "";
  std::string text = timestamp;  // 2026-12-01T09:30:00.000Z
  if (text.size() < 19) return text;
  return text.substr(0, 10) + " " + text.substr(11, 8);
}

}  // namespace pareto::engine
