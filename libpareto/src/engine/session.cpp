#include "engine/session.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace pareto::engine {

namespace {
constexpr int64_t kBackoffBaseMs = 250;
constexpr int64_t kBackoffCapMs = 20'000;
constexpr std::array<std::string_view, 12> kRetryableCodes = {
    "Throttling",          "ThrottlingException",      "TooManyRequestsException",
    "RequestLimitExceeded", "SlowDown",                "RequestThrottled",
    "ProvisionedThroughputExceededException",           "RequestTimeout",
    "RequestTimeoutException", "ServiceUnavailable",    "InternalError",
    "NetworkingError"};
}  // namespace

bool AwsError::missing() const {
  std::string_view text = what();
  return text.find("does not exist") != std::string_view::npos || status == 404 ||
         code == "NoSuchBucket" || code == "NoSuchKey" || code == "NotFound" ||
         code == "ResourceNotFoundException";
}

AwsError to_error(const json& error) {
  return AwsError(error.value("code", "Error"), error.value("message", ""),
                  error.value("status", 0));
}

bool Session::retryable(const AwsError& error) {
  return error.status >= 500 || error.status == 429 ||
         std::find(kRetryableCodes.begin(), kRetryableCodes.end(), error.code) !=
             kRetryableCodes.end();
}

Task<json> Session::attempt(std::string what, json step, std::string blob) {
  for (int attempt = 1;; ++attempt) {
    json answer = co_await yield(step, blob);
    if (!answer.contains("error")) co_return answer.value("response", json::object());
    AwsError error = to_error(answer["error"]);
    if (!retryable(error)) throw error;
    if (attempt == kAttempts)
      throw AwsError(error.code, fmt::format("{} ({}: gave up after {} attempts)", error.what(),
                                             what, kAttempts),
                     error.status);
    int64_t ceiling = std::min(kBackoffCapMs, kBackoffBaseMs << (attempt - 1));
    int64_t pause = std::uniform_int_distribution<int64_t>(ceiling / 2, ceiling)(random_);
    co_await err(fmt::format("{}: {} ({}); retrying in {:.1f} s, attempt {} of {}\n", what,
                             error.code, error.what(), pause / 1000.0, attempt + 1, kAttempts));
    co_await wait(pause);
  }
}

Task<json> Session::call(std::string service, std::string operation, json params) {
  json step = {{"step", "call"}, {"service", service}, {"operation", operation}, {"params", params}};
  std::string what = service + " " + operation;
  co_return co_await attempt(std::move(what), std::move(step));
}

Task<json> Session::call(std::string service, std::string operation, std::string member,
                         json value) {
  json params = json::object();
  params[member] = std::move(value);
  co_return co_await call(std::move(service), std::move(operation), std::move(params));
}

Task<json> Session::paginate(std::string service, std::string operation, json params,
                             std::string items, std::string token, std::string request_token) {
  if (request_token.empty()) request_token = token;
  json all = json::array();
  for (;;) {
    json page = co_await call(service, operation, params);
    for (auto& item : page.value(items, json::array())) all.push_back(std::move(item));
    if (!page.contains(token) || !page[token].is_string() || page[token].get<std::string>().empty())
      co_return all;
    params[request_token] = page[token];
  }
}

Task<void> Session::wait(int64_t milliseconds) {
  waited_ms_ += milliseconds;
  json step = {{"step", "wait"}, {"milliseconds", milliseconds}};
  co_await yield(std::move(step));
}

Task<void> Session::out(std::string text) { co_await write("stdout", std::move(text)); }

Task<void> Session::err(std::string text) { co_await write("stderr", std::move(text)); }

Task<void> Session::write(std::string stream, std::string text) {
  if (text.empty()) co_return;
  json step = {{"step", "write"}, {"stream", stream}, {"text", text}};
  co_await yield(std::move(step));
}

Task<json> Session::ask(std::string question, bool secret) {
  json step = {{"step", "ask"}, {"question", question}, {"secret", secret}};
  co_return co_await yield(std::move(step));
}

Task<json> Session::upload(std::string bucket, std::string key, std::string bytes) {
  json step = {{"step", "upload"}, {"bucket", bucket}, {"key", key}, {"bytes", bytes.size()}};
  std::string what = fmt::format("uploading s3://{}/{}", bucket, key);
  co_return co_await attempt(std::move(what), std::move(step), std::move(bytes));
}

Task<json> Session::run(std::vector<std::string> argv, std::string cwd, json env) {
  json step = {{"step", "run"}, {"argv", argv}, {"cwd", cwd}, {"env", env}};
  co_return co_await yield(std::move(step));
}

Task<json> Session::perform(json step, std::string blob) {
  co_return co_await yield(std::move(step), std::move(blob));
}

}  // namespace pareto::engine
