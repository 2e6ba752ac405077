// Living with a deployed app: its stacks, resources, events, logs, invocations, user pools and
// artifacts. Tables go to stdout under a title line; notes go to stderr.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <tuple>

#include "engine/base64.hpp"
#include "engine/build.hpp"
#include "engine/command.hpp"
#include "engine/files.hpp"
#include "render/table.hpp"

namespace pareto::engine {

namespace {

using Rows = std::vector<std::vector<std::string>>;  // the header first

constexpr int64_t kFollowPollMs = 2000;
constexpr size_t kDeleteBatch = 1000;  // DeleteObjects takes 1,000 keys at a time

std::string rstrip(std::string text) {
  text.erase(text.find_last_not_of(" \t\r\n\f\v") + 1);
  return text;
}

// Every table the commands print: its title on a line of its own, then the aligned columns,
// with no padding at the end of a row whose last cells are empty.
std::string titled(const std::string& title, const Rows& rows, std::string_view align) {
  std::string out = title + "\n";
  std::istringstream lines(text_table(rows, align));
  for (std::string line; std::getline(lines, line);) out += rstrip(line) + "\n";
  return out;
}

// Bytes as text a step can carry (JSON is UTF-8): invalid sequences become U+FFFD, as Python's
// errors="replace" made them.
std::string printable(const std::string& bytes) {
  return json::parse(json(bytes).dump(-1, ' ', false, json::error_handler_t::replace))
      .get<std::string>();
}

// Epoch milliseconds as "YYYY-MM-DD HH:MM:SS" UTC, the form short_time gives timestamps.
std::string utc_time(int64_t epoch_ms) {
  namespace chrono = std::chrono;
  auto time = chrono::floor<chrono::seconds>(
      chrono::sys_time<chrono::milliseconds>(chrono::milliseconds(epoch_ms)));
  auto day = chrono::floor<chrono::days>(time);
  chrono::year_month_day date(day);
  chrono::hh_mm_ss<chrono::seconds> clock(time - day);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     clock.hours().count(), clock.minutes().count(), clock.seconds().count());
}

// --- stacks -------------------------------------------------------------------------------------

// <app>-<stage>, for any stage the command line accepts.
bool app_stack(const std::string& app, const std::string& name) {
  static const std::regex kStage("[a-z][a-z0-9]{0,15}");
  return name.size() > app.size() + 1 && name.starts_with(app) && name[app.size()] == '-' &&
         std::regex_match(name.begin() + static_cast<std::ptrdiff_t>(app.size() + 1), name.end(),
                          kStage);
}

// The app's stacks in this account and region, every stage, by name.
Task<json> app_stacks(Session& session, const Target& target) {
  json all =
      co_await session.paginate("cloudformation", "DescribeStacks", json::object(), "Stacks");
  json stacks = json::array();
  for (auto& stack : all)
    if (app_stack(target.app, stack.value("StackName", ""))) stacks.push_back(std::move(stack));
  std::sort(stacks.begin(), stacks.end(), [](const json& a, const json& b) {
    return a.value("StackName", "") < b.value("StackName", "");
  });
  co_return stacks;
}

bool is_nested(const json& resource) {
  return resource.value("ResourceType", "") == kNestedStackType &&
         !resource.value("PhysicalResourceId", "").empty();
}

void add_resources(Rows& rows, const std::string& stack, const json& resources) {
  for (const auto& resource : resources)
    rows.push_back({stack, resource.value("LogicalResourceId", ""),
                    resource.value("ResourceType", ""), resource.value("PhysicalResourceId", ""),
                    resource.value("ResourceStatus", "")});
}

// --- logs and invoke ----------------------------------------------------------------------------

// "10m" → the epoch milliseconds ten minutes before `now_ms` (the epoch itself at most).
int64_t since_ms(const std::string& text, int64_t now_ms) {
  static const std::map<char, int64_t> kUnitMs = {
      {'s', 1000}, {'m', 60'000}, {'h', 3'600'000}, {'d', 86'400'000}};
  auto unit = text.size() < 2 ? kUnitMs.end() : kUnitMs.find(text.back());
  // from_chars takes a sign, which a duration has not.
  if (unit != kUnitMs.end() && std::isdigit(static_cast<unsigned char>(text[0]))) {
    const char* last = text.data() + text.size() - 1;
    int64_t count = 0;
    auto [end, error] = std::from_chars(text.data(), last, count);
    if (end == last && error == std::errc())
      return count > now_ms / unit->second ? 0 : now_ms - count * unit->second;
  }
  throw Stop(fmt::format("--since: a duration like 30s, 10m, 2h or 1d, not '{}'", text),
             kExitUsage);
}

// The deployed function of the action, <stack>-<action>: stops when the app has no such action
// or the stack is not there.
Task<std::string> function_name(Context& context) {
  const std::string& action = context.options.action;
  std::vector<std::string> actions;
  for (const auto& function : json::parse(context.app.functions()))
    if (function.contains("action")) actions.push_back(function["action"].get<std::string>());
  if (std::find(actions.begin(), actions.end(), action) == actions.end())
    throw Stop(fmt::format("the app has no action '{}' (actions: {})", action,
                           actions.empty() ? "none" : fmt::format("{}", fmt::join(actions, ", "))));
  co_await require_stack(context.session, context.target.stack);
  co_return fmt::format("{}-{}", context.target.stack, action);
}

// The function's log events from `since` (epoch ms) across its streams, oldest first.
Task<json> log_events(Session& session, std::string function, int64_t since, std::string pattern) {
  json params = {{"logGroupName", "/aws/lambda/" + function}, {"startTime", since}};
  if (!pattern.empty()) params["filterPattern"] = pattern;
  json events;
  try {
    events = co_await session.paginate("logs", "FilterLogEvents", params, "events", "nextToken");
  } catch (const AwsError& error) {
    if (!error.missing()) throw;
    throw Stop(fmt::format("{} has no logs yet", function));
  }
  std::sort(events.begin(), events.end(), [](const json& a, const json& b) {
    return std::pair(a.value("timestamp", int64_t{0}), a.value("eventId", "")) <
           std::pair(b.value("timestamp", int64_t{0}), b.value("eventId", ""));
  });
  co_return events;
}

// The event --payload gives, inline or @FILE, checked to be JSON.
std::string payload_of(const std::string& argument) {
  std::string text = argument;
  if (argument.starts_with('@')) {
    std::optional<std::string> file = read_text_file(argument.substr(1));
    if (!file) throw Stop(fmt::format("--payload {}: cannot be read", argument), kExitUsage);
    text = std::move(*file);
  }
  try {
    std::ignore = json::parse(text);
  } catch (const json::parse_error& error) {
    std::string why = error.what();  // "[json.exception.parse_error.101] parse error at ..."
    if (size_t start = why.find("] "); start != std::string::npos) why.erase(0, start + 2);
    throw Stop(fmt::format("--payload is not JSON: {}", printable(why)), kExitUsage);
  }
  return text;
}

// --- users --------------------------------------------------------------------------------------

// One of the app's user pools as deployed, found by its physical name.
struct Pool {
  std::string physical;  // <stack>-<name>
  std::string id;
};

// The first item of a Cognito listing whose `key` is `name`.
Task<std::optional<json>> find_named(Session& session, std::string operation, json params,
                                     std::string items, std::string key, std::string name) {
  json listed = co_await session.paginate("cognito-idp", operation, params, items);
  for (auto& item : listed)
    if (item.value(key, "") == name) co_return std::optional<json>(std::move(item));
  co_return std::nullopt;
}

Task<Pool> find_pool(Context& context) {
  std::string physical = fmt::format("{}-{}", context.target.stack, context.options.pool);
  json request = {{"MaxResults", 60}};
  std::optional<json> pool = co_await find_named(context.session, "ListUserPools", request,
                                                 "UserPools", "Name", physical);
  if (!pool) throw Stop(fmt::format("there is no user pool {}", physical));
  co_return Pool{physical, pool->value("Id", "")};
}

Task<std::string> admin_client(Session& session, const Pool& pool) {
  std::string name = pool.physical + "-admin";
  json request = {{"UserPoolId", pool.id}, {"MaxResults", 60}};
  std::optional<json> client = co_await find_named(session, "ListUserPoolClients", request,
                                                   "UserPoolClients", "ClientName", name);
  if (!client) throw Stop(fmt::format("user pool {} has no client {}", pool.physical, name));
  co_return client->value("ClientId", "");
}

// --password, else $PARETO_PASSWORD, else asked on a terminal.
Task<std::string> password(Context& context) {
  if (!context.options.password.empty()) co_return context.options.password;
  const char* variable = std::getenv("PARETO_PASSWORD");
  if (variable && *variable) co_return std::string(variable);
  if (!context.session.facts().interactive)
    throw Stop("give --password (or PARETO_PASSWORD)", kExitUsage);
  json answer = co_await context.session.ask("password: ", /*secret=*/true);
  co_return answer.is_string() ? answer.get<std::string>() : std::string();
}

std::string shown_attributes(const json& user) {
  std::vector<std::string> shown;
  for (const auto& attribute : user.value("Attributes", json::array()))
    if (attribute.value("Name", "") != "sub")
      shown.push_back(attribute.value("Name", "") + "=" + attribute.value("Value", ""));
  return fmt::format("{}", fmt::join(shown, ", "));
}

Task<int> list_users(Context& context, const Pool& pool) {
  Rows rows = {{"user", "status", "attributes", "created"}};
  json request = {{"UserPoolId", pool.id}};
  json users = co_await context.session.paginate("cognito-idp", "ListUsers", request, "Users",
                                                 "PaginationToken");
  for (const auto& user : users)
    rows.push_back({user.value("Username", ""), user.value("UserStatus", ""),
                    shown_attributes(user), short_time(user.value("UserCreateDate", json()))});
  co_await context.session.out(titled("users of " + pool.physical, rows, "llll"));
  co_return 0;
}

// A confirmed user with a permanent password.
Task<int> create_user(Context& context, const Pool& pool) {
  const Options& options = context.options;
  std::string secret = co_await password(context);
  json attributes = json::array();
  for (const auto& attribute : options.attributes)
    attributes.push_back(json{{"Name", attribute.first}, {"Value", attribute.second}});
  json user = {{"UserPoolId", pool.id}, {"Username", options.user}};
  json create = user;
  create.update({{"MessageAction", "SUPPRESS"}, {"UserAttributes", attributes}});
  co_await context.session.call("cognito-idp", "AdminCreateUser", create);
  json set_password = user;
  set_password.update({{"Password", secret}, {"Permanent", true}});
  co_await context.session.call("cognito-idp", "AdminSetUserPassword", set_password);
  co_await context.session.err(fmt::format("created {} in {}\n", options.user, pool.physical));
  co_return 0;
}

Task<int> delete_user(Context& context, const Pool& pool) {
  const std::string& user = context.options.user;
  json request = {{"UserPoolId", pool.id}, {"Username", user}};
  try {
    co_await context.session.call("cognito-idp", "AdminDeleteUser", request);
  } catch (const AwsError& error) {
    if (error.code != "UserNotFoundException") throw;
    throw Stop(fmt::format("user pool {} has no user '{}'", pool.physical, user));
  }
  co_await context.session.err(fmt::format("deleted {} from {}\n", user, pool.physical));
  co_return 0;
}

// The tokens of a login through the pool's admin client, as JSON on stdout.
Task<int> log_in(Context& context, const Pool& pool) {
  const std::string& user = context.options.user;
  std::string client = co_await admin_client(context.session, pool);
  std::string secret = co_await password(context);
  json request = {{"UserPoolId", pool.id},
                  {"ClientId", client},
                  {"AuthFlow", "ADMIN_USER_PASSWORD_AUTH"},
                  {"AuthParameters", {{"USERNAME", user}, {"PASSWORD", secret}}}};
  json answer = co_await context.session.call("cognito-idp", "AdminInitiateAuth", request);
  // A challenge (a new password, MFA) is not a login: there are no tokens to print.
  if (!answer.contains("AuthenticationResult"))
    throw Stop(fmt::format("{} cannot log in yet: Cognito asks for {}", user,
                           answer.value("ChallengeName", "a challenge")));
  co_await context.session.out(answer["AuthenticationResult"].dump(2) + "\n");
  co_return 0;
}

// --- artifacts ----------------------------------------------------------------------------------

struct Artifacts {
  std::string bucket;
  json objects;                // the app's, newest first
  std::set<std::string> used;  // the archives and templates its deployed stacks name
};

// Every key below pareto/<app>/ a template names (S3Keys, TemplateURLs, builders' sources),
// resolved with the stack's parameter values.
void keys_named(const json& value, const std::string& prefix, const json& parameters,
                std::set<std::string>& out) {
  if (value.is_string()) {
    std::string text = value;
    if (size_t at = text.find(prefix); at != std::string::npos)
      out.insert(resolve_key(json{{"Fn::Sub", text.substr(at)}}, parameters));
  } else if (value.is_structured()) {
    for (const auto& item : value) keys_named(item, prefix, parameters, out);
  }
}

Task<Artifacts> find_artifacts(Context& context) {
  Session& session = context.session;
  Artifacts found;
  found.bucket = co_await artifacts_bucket(session, context.target, /*create=*/false);
  json request = {{"Bucket", found.bucket},
                  {"Prefix", fmt::format("pareto/{}/", context.target.app)}};
  found.objects = co_await session.paginate("s3", "ListObjectsV2", request, "Contents",
                                            "NextContinuationToken", "ContinuationToken");
  std::sort(found.objects.begin(), found.objects.end(), [](const json& a, const json& b) {
    return std::pair(a.value("LastModified", ""), a.value("Key", "")) >
           std::pair(b.value("LastModified", ""), b.value("Key", ""));
  });
  json stacks = co_await app_stacks(session, context.target);
  std::string prefix = fmt::format("pareto/{}/", context.target.app);
  for (const auto& stack : stacks) {
    json parameters = json::object();
    for (const auto& parameter : stack.value("Parameters", json::array()))
      parameters[parameter.value("ParameterKey", "")] = parameter.value("ParameterValue", "");
    std::vector<std::string> names = co_await nested_stacks(session, stack.value("StackName", ""));
    names.insert(names.begin(), stack.value("StackName", ""));
    for (const auto& name : names) {
      json answer = co_await session.call("cloudformation", "GetTemplate", "StackName", name);
      json templ = json::parse(answer.value("TemplateBody", ""), nullptr, false);
      keys_named(templ, prefix, parameters, found.used);
    }
  }
  co_return found;
}

Task<int> list_artifacts(Context& context) {
  Artifacts found = co_await find_artifacts(context);
  Rows rows = {{"key", "bytes", "modified", ""}};
  for (const auto& object : found.objects) {
    std::string key = object.value("Key", "");
    rows.push_back({key, thousands(object.value("Size", uint64_t{0})),
                    short_time(object.value("LastModified", json())),
                    found.used.count(key) ? "in use" : ""});
  }
  co_await context.session.out(titled("s3://" + found.bucket, rows, "lrll"));
  co_return 0;
}

// Writes the artifact to -o FILE (default: the key's file name), all or nothing.
Task<int> fetch_artifact(Context& context) {
  const std::string& key = context.options.key;
  if (key.empty()) throw Stop("artifacts fetch needs KEY", kExitUsage);
  Artifacts found = co_await find_artifacts(context);
  if (std::none_of(found.objects.begin(), found.objects.end(),
                   [&](const json& object) { return object.value("Key", "") == key; }))
    throw Stop(fmt::format("s3://{} has no artifact {} of {}", found.bucket, key,
                           context.target.app));
  json request = {{"Bucket", found.bucket}, {"Key", key}};
  json object = co_await context.session.call("s3", "GetObject", request);
  std::string output = context.options.output.empty()
                           ? std::filesystem::path(key).filename().string()
                           : context.options.output;
  if (!write_atomically(output, base64_decode(object.value("Body", ""))))
    throw Stop(fmt::format("cannot write {}", output));
  co_await context.session.err(fmt::format("{}: fetched {}\n", output, key));
  co_return 0;
}

// Deletes the app's code archives and templates but those its deployed stacks use and the newest
// --keep of each kind.
Task<int> clean_artifacts(Context& context) {
  Artifacts found = co_await find_artifacts(context);
  size_t keep = static_cast<size_t>(context.options.keep);
  std::vector<std::string> doomed;
  std::map<std::string, size_t> newer;  // by folder: each function's archives, the templates
  for (const auto& object : found.objects) {
    std::string key = object.value("Key", "");
    if (newer[key.substr(0, key.rfind('/'))]++ >= keep && !found.used.count(key)) doomed.push_back(key);
  }
  for (size_t start = 0; start < doomed.size(); start += kDeleteBatch) {
    json objects = json::array();
    for (size_t i = start; i < std::min(doomed.size(), start + kDeleteBatch); ++i)
      objects.push_back(json{{"Key", doomed[i]}});
    json request = {{"Bucket", found.bucket}, {"Delete", {{"Objects", std::move(objects)}}}};
    co_await context.session.call("s3", "DeleteObjects", request);
  }
  std::string notes;
  for (const auto& key : doomed) notes += fmt::format("deleted {}\n", key);
  notes += fmt::format("deleted {} artifacts; kept those in use and the newest {}\n",
                       doomed.size(), context.options.keep);
  co_await context.session.err(notes);
  co_return 0;
}

}  // namespace

Task<int> stacks_command(Context& context) {
  const std::string& app = context.target.app;
  Rows rows = {{"stack", "status", "updated"}};
  json stacks = co_await app_stacks(context.session, context.target);
  for (const auto& stack : stacks) {
    json updated = stack.value("LastUpdatedTime", stack.value("CreationTime", json()));
    rows.push_back({stack.value("StackName", ""), stack.value("StackStatus", ""),
                    short_time(updated)});
  }
  if (rows.size() == 1) throw Stop(fmt::format("{} has no stacks here", app));
  co_await context.session.out(titled("stacks of " + app, rows, "lll"));
  co_return 0;
}

// The stack's resources, then each nested stack's under the nested stack's logical id.
Task<int> resources_command(Context& context) {
  Session& session = context.session;
  const std::string& name = context.target.stack;
  co_await require_stack(session, name);
  json resources = co_await stack_resources(session, name);
  Rows rows = {{"stack", "logical id", "type", "physical id", "status"}};
  add_resources(rows, "", resources);
  for (const auto& nested : resources) {
    if (!is_nested(nested)) continue;
    json inner = co_await stack_resources(session, nested["PhysicalResourceId"].get<std::string>());
    add_resources(rows, nested["LogicalResourceId"].get<std::string>(), inner);
  }
  co_await session.out(titled("resources of " + name, rows, "lllll"));
  co_return 0;
}

// The stack's events oldest first, its nested stacks' after their parent's; only the failures
// with --failed.
Task<int> events_command(Context& context) {
  Session& session = context.session;
  bool failed = context.options.failed;
  Rows rows = {{"time", "stack", "logical id", "type", "status", "reason"}};
  std::vector<std::string> stacks = {context.target.stack};
  for (size_t i = 0; i < stacks.size(); ++i) {
    std::string name = stacks[i];
    co_await require_stack(session, name);
    json request = {{"StackName", name}};
    json events = co_await session.paginate("cloudformation", "DescribeStackEvents", request,
                                            "StackEvents");
    for (auto event = events.rbegin(); event != events.rend(); ++event)  // AWS: newest first
      if (!failed || event->value("ResourceStatus", "").ends_with("_FAILED"))
        rows.push_back({short_time(event->value("Timestamp", json())),
                        event->value("StackName", ""), event->value("LogicalResourceId", ""),
                        event->value("ResourceType", ""), event->value("ResourceStatus", ""),
                        event->value("ResourceStatusReason", "")});
    std::vector<std::string> nested = co_await nested_stacks(session, name);
    stacks.insert(stacks.end(), nested.begin(), nested.end());
  }
  std::string title =
      fmt::format("{} of {}", failed ? "failures" : "events", context.target.stack);
  co_await session.out(titled(title, rows, "llllll"));
  co_return 0;
}

// The action's log events, newest last; --follow polls for new ones until the host ends the flow.
Task<int> logs_command(Context& context) {
  Session& session = context.session;
  const Options& options = context.options;
  int64_t since = since_ms(options.since, session.now_ms());
  std::string function = co_await function_name(context);
  std::set<std::string> seen;  // each round starts at the newest event shown, listing it again
  size_t shown = 0;
  for (;;) {
    std::string lines;
    json events = co_await log_events(session, function, since, options.filter);
    for (const auto& event : events) {
      int64_t timestamp = event.value("timestamp", int64_t{0});
      std::string message = event.value("message", "");
      std::string id = event.value("eventId", "");
      if (!seen.insert(id.empty() ? fmt::format("{}:{}", timestamp, message) : id).second) continue;
      since = std::max(since, timestamp);
      lines += utc_time(timestamp) + " " + rstrip(message) + "\n";
      ++shown;
    }
    co_await session.out(lines);
    if (!options.follow) break;
    co_await session.wait(kFollowPollMs);
  }
  if (shown == 0)
    co_await session.err(
        fmt::format("no log events of {} since {} ago\n", function, options.since));
  co_return 0;
}

// The result on stdout, the log tail on stderr; exit 1 when the function failed.
Task<int> invoke_command(Context& context) {
  Session& session = context.session;
  std::string payload = payload_of(context.options.payload);
  std::string function = co_await function_name(context);
  json request = {{"FunctionName", function},
                  {"Payload", {{"$bytes", base64_encode(payload)}}},
                  {"LogType", "Tail"}};
  json answer = co_await session.call("lambda", "Invoke", request);
  std::string tail = rstrip(printable(base64_decode(answer.value("LogResult", ""))));
  co_await session.out(printable(base64_decode(answer.value("Payload", ""))) + "\n");
  if (!tail.empty()) co_await session.err(tail + "\n");
  std::string error = answer.value("FunctionError", "");
  if (error.empty()) co_return 0;
  co_await session.err(fmt::format("{} failed ({})\n", function, error));
  co_return kExitFailed;
}

Task<int> users_command(Context& context) {
  const std::string& operation = context.options.operation;
  if (operation != "list" && context.options.user.empty())
    throw Stop(fmt::format("users {} needs USER", operation), kExitUsage);
  Pool pool = co_await find_pool(context);
  if (operation == "list") co_return co_await list_users(context, pool);
  if (operation == "create") co_return co_await create_user(context, pool);
  if (operation == "delete") co_return co_await delete_user(context, pool);
  co_return co_await log_in(context, pool);
}

Task<int> artifacts_command(Context& context) {
  const std::string& operation = context.options.operation;
  if (operation == "list") co_return co_await list_artifacts(context);
  if (operation == "fetch") co_return co_await fetch_artifact(context);
  co_return co_await clean_artifacts(context);
}

}  // namespace pareto::engine
