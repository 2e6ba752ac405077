// pareto dev: the app deployed to the emulator, each handler run on this machine as a process of
// its runtime, and each trigger fired as AWS fires it, read from the template AWS would get:
// API Gateway's routing, validation, CORS and proxy events; event source mappings' batches and
// partial failures over the emulator's queues; rules matched by the core's matcher; topics'
// subscriptions; timers; async retries and on-failure destinations.
#include <fmt/color.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <filesystem>
#include <map>
#include <random>
#include <regex>
#include <set>

#include "check/schema.hpp"
#include "embedded.hpp"
#include "engine/base64.hpp"
#include "engine/build.hpp"
#include "engine/cron.hpp"
#include "engine/dev.hpp"
#include "engine/files.hpp"
#include "engine/graphql.hpp"
#include "engine/jwt.hpp"
#include "engine/moto.hpp"
#include "render/template.hpp"

namespace pareto::engine {

namespace {
namespace fs = std::filesystem;

constexpr int64_t kIdleMs = 200;          // a request is waited for this long between reads
constexpr int64_t kReloadCheckMs = 1000;  // how often pareto.yaml is looked at
constexpr int kReceiveLimit = 10;         // SQS ReceiveMessage takes at most 10
constexpr int kDefaultAsyncRetries = 2;   // Lambda's, without an EventInvokeConfig
// The server handlers' own Lambda calls reach (AWS_ENDPOINT_URL_LAMBDA): a name no API has.
constexpr std::string_view kLambdaServer = "(lambda)";

// API Gateway's refusal of a token its Cognito authorizer does not take.
constexpr std::string_view kUnauthorized = "Unauthorized";

// The server of a GraphQL API, named apart from a REST API of the same name.
std::string graphql_server(const std::string& label) { return label + " GraphQL"; }

// A function as pareto dev runs it.
struct Handler {
  std::string id;     // its logical id
  std::string label;  // its name without "<app>-<stage>-": the action's, or pareto's own
  std::string name, arn;
  std::string runtime;  // "python" | "nodejs"
  std::string folder, module, function;
  json env = json::object();  // as moto's Lambda resolved it, with the import path
  int64_t timeout_ms = 3000;
  int memory_mb = 128;
  int retries = kDefaultAsyncRetries;  // async invocations
  std::string on_failure;              // the queue URL of its on-failure destination
  fmt::text_style style;               // its lines' on a terminal
};

// Each action's colour on a terminal, in the order of their logical ids (red says "failed").
constexpr std::array kActionColours{fmt::terminal_color::cyan, fmt::terminal_color::magenta,
                                    fmt::terminal_color::yellow, fmt::terminal_color::green,
                                    fmt::terminal_color::blue, fmt::terminal_color::bright_cyan,
                                    fmt::terminal_color::bright_magenta, fmt::terminal_color::bright_yellow,
                                    fmt::terminal_color::bright_green, fmt::terminal_color::bright_blue};

struct Route {
  std::string method;    // GET, ..., OPTIONS, ANY
  std::string resource;  // "/hello/{id}"
  std::string handler;   // a function's logical id; "" for CORS's MOCK
  json mock_headers = json::object();
  std::vector<std::string> required_query, required_headers;
  std::optional<Schema> body;  // the model, when the body is validated
  bool api_key = false;
  std::string authorizer;           // a Cognito authorizer's logical id
  std::vector<std::string> scopes;  // AuthorizationScopes: an access token with one of them
};

// A COGNITO_USER_POOLS authorizer: a token in the header, signed for one of the pools.
struct Authorizer {
  std::string header = "Authorization";
  std::vector<std::string> pools;    // their ids
  std::optional<std::regex> audience;  // IdentityValidationExpression, on the token's aud
};

struct Api {
  std::string id, label, url;
  json error_headers = json::object();  // the gateway responses' (CORS on 4XX and 5XX)
  std::vector<Route> routes;
  std::map<std::string, Authorizer> authorizers;  // by logical id
};

// An AppSync API: its schema, its unit resolvers' handlers, and how callers authenticate.
struct GraphqlApi {
  std::string id, label, url;
  std::string auth;                 // API_KEY | AMAZON_COGNITO_USER_POOLS | AWS_IAM
  std::string key;                  // API_KEY's, made for this session
  std::vector<std::string> pools;   // AMAZON_COGNITO_USER_POOLS': the pool's id
  std::optional<std::regex> clients;  // AppIdClientRegex, on the token's aud or client_id
  GraphqlApiModel model;
  std::map<std::pair<std::string, std::string>, std::string> handlers;  // (type, field) → function
};

// An event source mapping over a queue.
struct Poller {
  std::string label, url, arn, handler;
  int batch = 10;
  bool partial = false;  // ReportBatchItemFailures
};

// An event source mapping over a table's stream: each shard read from where dev started.
struct StreamPoller {
  std::string label, table, handler;
  std::string arn;                                    // the stream's
  std::map<std::string, std::string> iterators;       // shard id → its next iterator
  int batch = 100;
  int retries = -1;        // MaximumRetryAttempts (-1: a failing batch is read again until it passes)
  std::string on_failure;  // the queue URL of its on-failure destination
};

struct Timer {
  std::string id, label, handler;
  json input;
  std::string schedule;
  int64_t every_ms = 0;       // rate(...)
  std::optional<Cron> cron;   // cron(...)
  int64_t next_ms = 0;        // 0: it fires only with --now
};

// A user pool and its clients, named for the developer who signs users in.
struct UserPool {
  std::string label, id;
  std::vector<std::pair<std::string, std::string>> clients;  // label, client id
};

// What runs: the handlers and their triggers, read from the app's templates and the stacks.
struct Running {
  std::map<std::string, Handler> handlers;
  std::vector<Api> apis;
  std::vector<GraphqlApi> graphql;
  std::vector<Poller> pollers;
  std::vector<StreamPoller> streams;
  std::vector<Timer> timers;
  std::map<std::string, std::vector<std::string>> rule_handlers;   // rule id → handlers
  std::map<std::string, std::vector<std::string>> topic_handlers;  // topic ARN → handlers
  std::optional<Rules> rules;
  std::vector<std::string> taps;  // the queues the compatibility pass added, by URL
  std::vector<UserPool> pools;
};

// The logical id a reference names: {"Ref": X}, {"Fn::GetAtt": [X, ...]}, "X.Arn" in a Sub.
std::string referenced(const json& node) {
  if (!node.is_object() || node.size() != 1) return "";
  const std::string& function = node.begin().key();
  const json& argument = node.begin().value();
  if (function == "Ref" && argument.is_string()) return argument;
  if (function == "Fn::GetAtt") {
    if (argument.is_array() && !argument.empty() && argument[0].is_string()) return argument[0];
    if (argument.is_string()) return argument.get<std::string>().substr(0, argument.get<std::string>().find('.'));
  }
  if (function == "Fn::Sub") {
    static const std::regex kArn(R"(\$\{([A-Za-z0-9]+)\.Arn\})");
    std::smatch match;
    const json& text = argument.is_array() && !argument.empty() ? argument[0] : argument;
    if (!text.is_string()) return "";
    const std::string& sub = text.get_ref<const std::string&>();
    if (std::regex_search(sub, match, kArn)) return match[1];
  }
  return "";
}

// API Gateway's header mappings ("<prefix>Name": "'value'") as Name → value.
json quoted_headers(const json& parameters, std::string_view prefix) {
  json out = json::object();
  for (const auto& [key, value] : parameters.items()) {
    if (!key.starts_with(prefix) || !value.is_string()) continue;
    const std::string& text = value.get_ref<const std::string&>();
    bool quoted = text.size() >= 2 && text.front() == '\'' && text.back() == '\'';
    out[key.substr(prefix.size())] = quoted ? text.substr(1, text.size() - 2) : text;
  }
  return out;
}

// The queue URL an EventInvokeConfig's or a mapping's OnFailure destination names ("" if none).
std::string on_failure_queue(const json& properties, const std::map<std::string, std::string>& physical) {
  const json destination = properties.value("DestinationConfig", json::object())
                               .value("OnFailure", json::object())
                               .value("Destination", json());
  auto found = physical.find(referenced(destination));
  return found == physical.end() ? "" : found->second;
}

std::string plural(size_t n, const char* one, const char* many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

class Dev {
 public:
  Dev(Context& cx, int64_t now_ms) : cx_(cx), now_ms_(now_ms), random_(cx.session.facts().seed) {}

  Task<void> read(const App& app, const std::vector<Built>& built);
  Task<void> read_running(const App& app, const std::vector<Built>& built);
  Task<void> serve(int first_port);
  Task<void> introduce();
  Task<void> fire_timer(const std::string& name);
  Task<void> fire(const Timer& timer);
  Task<bool> step();  // false when idle

 private:
  Session& session() { return cx_.session; }
  std::string request_id();
  Task<json> invoke(const Handler& handler, json event, std::string trigger);
  Task<void> send_failure(const std::string& queue, std::string function_arn, std::string condition,
                          int attempts, json details);
  Task<void> invoke_async(const std::string& handler_id, json event, std::string trigger);
  Task<void> answer(const json& request);
  Task<std::string> refusal(const Authorizer& authorizer, const Route& route, const json& request, json& claims);
  Task<std::string> token_refusal(std::string_view token, const std::vector<std::string>& pools, json& claims);
  Task<void> answer_graphql_request(const GraphqlApi& api, const json& request);
  Task<json> resolve_field(const GraphqlApi& api, GraphqlField field, const json& identity, const json& headers);
  Task<void> respond(int64_t id, int status, json headers, std::string body);
  Task<bool> poll(const Poller& poller);
  Task<bool> tapped(const std::string& url);
  Task<bool> read_stream(StreamPoller& stream);
  Task<json> next_event(int64_t milliseconds);
  Task<bool> take(const json& event);
  Task<void> answer_lambda(const json& request);
  Task<void> typed(const std::string& line);
  const Timer* timer_named(std::string_view name) const;
  std::string timer_names() const;

  Context& cx_;
  int64_t now_ms_;
  std::mt19937_64 random_;
  Running running_;
  std::string account_, region_;
  std::vector<int> ports_;  // each API's, kept over reloads
  std::map<std::string, std::string> graphql_keys_;  // each API_KEY GraphQL API's, kept over reloads
  int lambda_port_ = 0;
  // What came while a handler ran, taken at the next turns.
  std::deque<json> requests_;  // to the APIs
  std::deque<std::string> lines_;  // typed
  std::map<int64_t, json> exited_;  // process id → how it ended
  struct Queued {
    std::string handler;
    json event;
  };
  std::deque<Queued> queued_;  // handlers' Invoke with InvocationType Event
  std::map<std::string, json> keys_;  // user pool id → its JWKS, as the emulator serves it
};

std::string Dev::request_id() {
  std::uniform_int_distribution<uint64_t> digits;
  uint64_t a = digits(random_), b = digits(random_);
  return fmt::format("{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}", a >> 32U, (a >> 16U) & 0xffffU,
                     a & 0xfffU, b >> 52U, b & 0xffffffffffffULL);
}

// What runs is replaced only when all of it is read: a failed reload leaves the last app running.
Task<void> Dev::read(const App& app, const std::vector<Built>& built) {
  Running previous = std::move(running_);
  running_ = Running{};
  try {
    co_await read_running(app, built);
  } catch (...) {
    running_ = std::move(previous);
    throw;
  }
}

Task<void> Dev::read_running(const App& app, const std::vector<Built>& built) {
  Session& s = session();
  std::vector<json> templates{json::parse(app.synth())};
  for (const auto& nested : json::parse(app.nested_stacks())) templates.push_back(json::parse(nested["template"].get<std::string>()));
  std::map<std::string, std::string> physical;
  std::vector<std::string> stacks{cx_.target.stack};
  std::vector<std::string> nested = co_await nested_stacks(s, cx_.target.stack);
  stacks.insert(stacks.end(), nested.begin(), nested.end());
  for (const auto& stack : stacks) {
    json resources = co_await stack_resources(s, stack);
    for (const auto& r : resources) physical[r.value("LogicalResourceId", "")] = r.value("PhysicalResourceId", "");
  }
  json identity = co_await s.call("sts", "GetCallerIdentity");
  account_ = identity.value("Account", "123456789012");
  region_ = cx_.target.region;
  auto queue_arn = [&](const std::string& url) {
    return fmt::format("arn:aws:sqs:{}:{}:{}", region_, account_, url.substr(url.rfind('/') + 1));
  };
  // Names as the app gives them: "tick" for hello-dev-tick.
  std::string prefix = cx_.target.stack + "-";
  auto unprefixed = [&prefix](const std::string& name) {
    return name.starts_with(prefix) ? name.substr(prefix.size()) : name;
  };
  Resolver resolve = co_await Resolver::for_stack(s, cx_.target.stack);
  json functions = json::parse(app.functions());
  json parameters = parameter_values(templates[0], cx_.options.parameters);
  fs::path base = app.base_dir();
  std::map<std::string, std::string> dependencies;
  for (const auto& b : built) dependencies[b.key] = b.dependencies;
  json resources = json::object();
  for (const auto& t : templates) resources.update(t.value("Resources", json::object()));

  for (const auto& [id, resource] : resources.items()) {
    if (resource.value("Type", "") != "AWS::Lambda::Function") continue;
    const json p = resource.value("Properties", json::object());
    Handler h;
    h.id = id;
    h.name = physical.count(id) ? physical[id] : id;
    h.label = unprefixed(h.name);
    json config = co_await s.call("lambda", "GetFunctionConfiguration", "FunctionName", h.name);
    h.arn = config.value("FunctionArn", "");
    h.env = config.value("Environment", json::object()).value("Variables", json::object());
    h.timeout_ms = config.value("Timeout", 3) * int64_t{1000};
    h.memory_mb = config.value("MemorySize", 128);
    std::string runtime = config.value("Runtime", "python3.12");
    h.runtime = runtime.starts_with("nodejs") ? "nodejs" : "python";
    std::string entry = p.value("Handler", "index.handler");
    h.module = entry.substr(0, entry.rfind('.'));
    h.function = entry.substr(entry.rfind('.') + 1);
    const json code = p.value("Code", json::object());
    if (code.contains("ZipFile")) {  // pareto's own inline functions run from a copy of their source
      fs::path folder = base / ".pareto" / "dev" / id;
      std::error_code error;
      fs::create_directories(folder, error);
      std::string file = (folder / (h.module + (h.runtime == "python" ? ".py" : ".js"))).string();
      if (error || !write_atomically(file, code["ZipFile"].get<std::string>()))
        throw Stop(fmt::format("cannot write {}", file));
      h.folder = folder.string();
    } else {
      std::string key = resolve_key(code.value("S3Key", json("")), parameters);
      for (const auto& f : functions) {
        if (resolve_key(f["key"], parameters) != key) continue;
        h.folder = fs::weakly_canonical(base / f["path"].get<std::string>()).string();
        std::vector<std::string> installed;
        if (!dependencies[key].empty()) installed.push_back(dependencies[key]);
        add_import_path(h.env, app.base_dir(), f, std::move(installed));
      }
    }
    running_.handlers[id] = std::move(h);
  }
  size_t coloured = 0;
  for (auto& [id, h] : running_.handlers) h.style = fmt::fg(kActionColours[coloured++ % kActionColours.size()]);

  for (const auto& [id, resource] : resources.items()) {
    const std::string type = resource.value("Type", "");
    const json& p = resource.value("Properties", json::object());
    if (type == "AWS::Lambda::EventInvokeConfig") {
      std::string function = referenced(p.value("FunctionName", json()));
      if (!running_.handlers.count(function)) continue;
      Handler& h = running_.handlers[function];
      h.retries = p.value("MaximumRetryAttempts", kDefaultAsyncRetries);
      h.on_failure = on_failure_queue(p, physical);
    } else if (type == "AWS::Lambda::EventSourceMapping") {
      std::string source = referenced(p.value("EventSourceArn", json()));
      std::string source_type = resources.value(source, json::object()).value("Type", "");
      if (source_type == "AWS::DynamoDB::Table") {
        StreamPoller stream;
        stream.table = physical[source];
        stream.label = unprefixed(stream.table);
        stream.handler = referenced(p.value("FunctionName", json()));
        stream.batch = p.value("BatchSize", 100);
        stream.retries = p.value("MaximumRetryAttempts", -1);
        stream.on_failure = on_failure_queue(p, physical);
        running_.streams.push_back(std::move(stream));
        continue;
      }
      if (source_type != "AWS::SQS::Queue") continue;
      Poller poller;
      poller.url = physical[source];
      poller.arn = queue_arn(poller.url);
      poller.label = unprefixed(poller.url.substr(poller.url.rfind('/') + 1));
      poller.handler = referenced(p.value("FunctionName", json()));
      poller.batch = p.value("BatchSize", 10);
      json types = p.value("FunctionResponseTypes", json::array());
      poller.partial = std::find(types.begin(), types.end(), "ReportBatchItemFailures") != types.end();
      running_.pollers.push_back(std::move(poller));
    } else if (type == "AWS::SNS::Subscription" && p.value("Protocol", "") == "lambda") {
      std::string topic = referenced(p.value("TopicArn", json()));
      running_.topic_handlers[physical[topic]].push_back(referenced(p.value("Endpoint", json())));
    } else if (type == "AWS::Events::Rule") {
      std::vector<std::string> targets;
      json input;
      for (const auto& target : p.value("Targets", json::array())) {
        std::string function = referenced(target.value("Arn", json()));
        if (!running_.handlers.count(function)) continue;
        targets.push_back(function);
        if (target.contains("Input")) input = json::parse(target["Input"].get<std::string>());
      }
      if (targets.empty()) continue;
      if (p.contains("ScheduleExpression")) {
        Timer timer;
        timer.id = id;
        json name = resolve(p.value("Name", json(id)));
        timer.label = unprefixed(name.is_string() ? name.get<std::string>() : id);
        timer.handler = targets[0];
        timer.input = input;
        timer.schedule = p["ScheduleExpression"].get<std::string>();
        static const std::regex kRate(R"(rate\((\d+) (minute|minutes|hour|hours|day|days)\))");
        std::smatch match;
        if (std::regex_match(timer.schedule, match, kRate)) {
          int64_t unit = match[2].str().starts_with("minute") ? 60'000 : match[2].str().starts_with("hour") ? 3'600'000 : 86'400'000;
          timer.every_ms = std::stoll(match[1]) * unit;
          timer.next_ms = now_ms_ + timer.every_ms;
        } else if (auto cron = Cron::parse(timer.schedule)) {
          timer.cron = *cron;
          timer.next_ms = cron->next(now_ms_).value_or(0);
        }
        running_.timers.push_back(std::move(timer));
      } else {
        running_.rule_handlers[id] = targets;
      }
    }
  }
  // moto's CloudFormation leaves a bucket's EventBridge notifications off: on through S3's API.
  for (const auto& [id, resource] : resources.items()) {
    if (resource.value("Type", "") != "AWS::S3::Bucket" || !physical.count(id)) continue;
    const json notifications = resource["Properties"].value("NotificationConfiguration", json::object());
    if (!notifications.value("EventBridgeConfiguration", json::object()).value("EventBridgeEnabled", false)) continue;
    json request = {{"Bucket", physical[id]},
                    {"NotificationConfiguration", {{"EventBridgeConfiguration", json::object()}}}};
    co_await s.call("s3", "PutBucketNotificationConfiguration", request);
  }
  // The patterns as the deployed rules hold them: references resolved against the stack.
  json patterns = json::object();
  for (const auto& [id, handlers] : running_.rule_handlers)
    patterns[id] = resolve(resources[id]["Properties"]["EventPattern"]);
  running_.rules = Rules::compile(patterns.dump());
  for (auto& stream : running_.streams) {
    json table = co_await s.call("dynamodb", "DescribeTable", "TableName", stream.table);
    stream.arn = table.value("Table", json::object()).value("LatestStreamArn", "");
    json described = co_await s.call("dynamodbstreams", "DescribeStream", "StreamArn", stream.arn);
    json shards = described.value("StreamDescription", json::object()).value("Shards", json::array());
    for (const auto& shard : shards) {
      json request = {{"StreamArn", stream.arn}, {"ShardId", shard.value("ShardId", "")},
                      {"ShardIteratorType", "LATEST"}};
      json iterator = co_await s.call("dynamodbstreams", "GetShardIterator", request);
      stream.iterators[shard.value("ShardId", "")] = iterator.value("ShardIterator", "");
    }
  }
  for (std::string_view tap : {kDevEventsQueue, kDevTopicsQueue})
    if (physical.count(std::string(tap))) running_.taps.push_back(physical[std::string(tap)]);

  auto named = [&](const json& properties, const char* member, const std::string& id) {
    json name = resolve(properties.value(member, json(id)));
    return unprefixed(name.is_string() ? name.get<std::string>() : id);
  };
  for (const auto& [id, resource] : resources.items())
    if (resource.value("Type", "") == "AWS::Cognito::UserPool" && physical.count(id))
      running_.pools.push_back({named(resource.value("Properties", json::object()), "UserPoolName", id), physical[id], {}});
  for (const auto& [id, resource] : resources.items()) {
    const json p = resource.value("Properties", json::object());
    if (resource.value("Type", "") != "AWS::Cognito::UserPoolClient") continue;
    for (auto& pool : running_.pools)
      if (pool.id == physical[referenced(p.value("UserPoolId", json()))])
        pool.clients.emplace_back(named(p, "ClientName", id), physical[id]);
  }

  for (const auto& [id, resource] : resources.items()) {
    if (resource.value("Type", "") != "AWS::ApiGateway::RestApi") continue;
    Api api;
    api.id = id;
    api.label = named(resource.value("Properties", json::object()), "Name", id);
    running_.apis.push_back(std::move(api));
  }
  auto path_of = [&](std::string resource_id) {
    std::vector<std::string> parts;  // leaf first
    for (int depth = 0; depth < 64 && resources.contains(resource_id); ++depth) {
      const json& p = resources[resource_id]["Properties"];
      parts.push_back(p.value("PathPart", ""));
      resource_id = referenced(p.value("ParentId", json()));
      if (resources.value(resource_id, json::object()).value("Type", "") != "AWS::ApiGateway::Resource") break;
    }
    std::string path;
    for (auto part = parts.rbegin(); part != parts.rend(); ++part) path += "/" + *part;
    return path.empty() ? "/" : path;
  };
  for (auto& api : running_.apis) {
    for (const auto& [id, resource] : resources.items()) {
      const json& p = resource.value("Properties", json::object());
      if (referenced(p.value("RestApiId", json())) != api.id) continue;
      std::string type = resource.value("Type", "");
      if (type == "AWS::ApiGateway::GatewayResponse") {
        api.error_headers = quoted_headers(p.value("ResponseParameters", json::object()), "gatewayresponse.header.");
        continue;
      }
      if (type == "AWS::ApiGateway::Authorizer" && p.value("Type", "") == "COGNITO_USER_POOLS") {
        Authorizer authorizer;
        std::string source = p.value("IdentitySource", "method.request.header.Authorization");
        if (source.starts_with("method.request.header.")) authorizer.header = source.substr(22);
        for (const auto& provider : p.value("ProviderARNs", json::array())) {
          // A pool in this stack by its physical id, or one named by its ARN.
          const std::string in_stack = referenced(provider);
          json arn = physical.count(in_stack) ? json(physical[in_stack]) : resolve(provider);
          std::string text = arn.is_string() ? arn.get<std::string>() : "";
          authorizer.pools.push_back(text.substr(text.rfind('/') + 1));
        }
        const json expression = p.value("IdentityValidationExpression", json());
        if (expression.is_string()) authorizer.audience.emplace(expression.get<std::string>());
        api.authorizers[id] = std::move(authorizer);
        continue;
      }
      if (type != "AWS::ApiGateway::Method") continue;
      Route route;
      route.method = p.value("HttpMethod", "ANY");
      std::string parent = referenced(p.value("ResourceId", json()));
      route.resource = resources.contains(parent) && resources[parent]["Type"] == "AWS::ApiGateway::Resource" ? path_of(parent) : "/";
      const json& integration = p.value("Integration", json::object());
      route.handler = referenced(integration.value("Uri", json()));
      for (const auto& response : integration.value("IntegrationResponses", json::array()))
        route.mock_headers.update(quoted_headers(response.value("ResponseParameters", json::object()),
                                                 "method.response.header."));
      route.api_key = p.value("ApiKeyRequired", false);
      if (p.value("AuthorizationType", "") == "COGNITO_USER_POOLS") {
        route.authorizer = referenced(p.value("AuthorizerId", json()));
        for (const auto& scope : p.value("AuthorizationScopes", json::array()))
          if (scope.is_string()) route.scopes.push_back(scope);
      }
      std::string validator = referenced(p.value("RequestValidatorId", json()));
      const json checks = resources.value(validator, json::object()).value("Properties", json::object());
      const json requested = p.value("RequestParameters", json::object());
      if (checks.value("ValidateRequestParameters", false))
        for (const auto& [key, required] : requested.items()) {
          if (!required.is_boolean() || !required.get<bool>()) continue;
          if (key.starts_with("method.request.querystring.")) route.required_query.push_back(key.substr(27));
          if (key.starts_with("method.request.header.")) route.required_headers.push_back(key.substr(22));
        }
      if (checks.value("ValidateRequestBody", false)) {
        std::string model = referenced(p.value("RequestModels", json::object()).value("application/json", json()));
        json schema = resources.value(model, json::object()).value("Properties", json::object()).value("Schema", json());
        if (schema.is_object()) route.body.emplace(schema, Schema::Draft::four);
      }
      api.routes.push_back(std::move(route));
    }
  }

  for (const auto& [id, resource] : resources.items()) {
    if (resource.value("Type", "") != "AWS::AppSync::GraphQLApi") continue;
    const json& p = resource.value("Properties", json::object());
    GraphqlApi api;
    api.id = id;
    api.label = named(p, "Name", id);
    api.auth = p.value("AuthenticationType", "API_KEY");
    const json pool = p.value("UserPoolConfig", json::object());
    if (physical.count(referenced(pool.value("UserPoolId", json())))) api.pools.push_back(physical[referenced(pool["UserPoolId"])]);
    if (pool.value("AppIdClientRegex", json()).is_string()) api.clients.emplace(pool["AppIdClientRegex"].get<std::string>());
    if (api.auth == "API_KEY") {
      std::string& key = graphql_keys_[api.label];
      static constexpr std::string_view kKeyCharacters = "abcdefghijklmnopqrstuvwxyz0123456789";
      std::uniform_int_distribution<size_t> pick(0, kKeyCharacters.size() - 1);
      if (key.empty()) {  // AppSync's form: "da2-" and 26 letters and digits
        key = "da2-";
        for (int i = 0; i < 26; ++i) key += kKeyCharacters[pick(random_)];
      }
      api.key = key;
    }
    for (const auto& [other_id, other] : resources.items()) {
      const json& q = other.value("Properties", json::object());
      if (referenced(q.value("ApiId", json())) != id) continue;
      const std::string type = other.value("Type", "");
      if (type == "AWS::AppSync::GraphQLSchema" && q.value("Definition", json()).is_string()) {
        GraphqlRead read = read_graphql_schema(q["Definition"].get<std::string>());
        if (read.error)
          throw Stop(fmt::format("the {} GraphQL API's schema, line {}: {}", api.label, read.error->line, read.error->message));
        api.model.schema = std::move(read.schema);
      } else if (type == "AWS::AppSync::Resolver") {
        std::string source = referenced(q.value("DataSourceName", json()));
        const json lambda = resources.value(source, json::object()).value("Properties", json::object()).value("LambdaConfig", json::object());
        std::string function = referenced(lambda.value("LambdaFunctionArn", json()));
        if (!running_.handlers.count(function)) continue;
        std::pair<std::string, std::string> field{q.value("TypeName", ""), q.value("FieldName", "")};
        api.model.resolved.insert(field);
        api.handlers[field] = function;
      }
    }
    running_.graphql.push_back(std::move(api));
  }
}

// Each API on a port of its own, from `first_port` on (0: any free one), REST APIs first.
Task<void> Dev::serve(int first_port) {
  std::vector<std::pair<std::string, std::string*>> servers;  // server name, its URL
  for (auto& api : running_.apis) servers.emplace_back(api.label, &api.url);
  for (auto& api : running_.graphql) servers.emplace_back(graphql_server(api.label), &api.url);
  for (size_t i = 0; i < servers.size(); ++i) {
    const auto& [name, url] = servers[i];
    if (i >= ports_.size()) {
      int port = first_port == 0 ? 0 : first_port + static_cast<int>(i);
      json step = {{"step", "serve"}, {"name", name}, {"port", port}};
      json answer = co_await session().perform(std::move(step));
      if (answer.contains("error"))
        throw Stop(fmt::format("cannot serve the {} API on 127.0.0.1:{}: {}", name, port,
                               answer["error"].value("message", "")));
      ports_.push_back(answer.value("port", 0));
    }
    *url = fmt::format("http://127.0.0.1:{}", ports_[i]);
  }
  // A handler's variable naming a GraphQL API (the dropped resource, as "local:<id>") is its URL.
  for (const auto& api : running_.graphql)
    for (auto& [id, handler] : running_.handlers)
      for (auto& [variable, value] : handler.env.items())
        if (value == "local:" + api.id) value = api.url + "/graphql";
  if (lambda_port_ != 0) co_return;
  json step = {{"step", "serve"}, {"name", kLambdaServer}, {"port", 0}};
  json answer = co_await session().perform(std::move(step));
  if (answer.contains("error"))
    throw Stop(fmt::format("cannot serve handlers' Lambda calls on 127.0.0.1: {}", answer["error"].value("message", "")));
  lambda_port_ = answer.value("port", 0);
}

Task<void> Dev::introduce() {
  std::string text;
  for (const auto& api : running_.apis) {
    std::vector<std::string> routes;
    for (const auto& route : api.routes)
      if (!route.handler.empty())
        routes.push_back(fmt::format("{} {}{}", route.method, route.resource,
                                     route.authorizer.empty() ? "" : " with a Cognito token"));
    text += fmt::format("  {} API: {} ({})\n", api.label, api.url, fmt::join(routes, ", "));
  }
  for (const auto& api : running_.graphql) {
    std::vector<std::string> fields;
    for (const auto& [field, handler] : api.handlers)
      fields.push_back(fmt::format("{}.{} → {}", field.first, field.second, running_.handlers[handler].label));
    std::string auth = api.auth == "API_KEY"                     ? "x-api-key " + api.key
                       : api.auth == "AMAZON_COGNITO_USER_POOLS" ? std::string("a Cognito token")
                                                                 : std::string("SigV4-signed, the signature not checked");
    text += fmt::format("  {} GraphQL API: {}/graphql ({}; {})\n", api.label, api.url, fmt::join(fields, ", "), auth);
  }
  for (const auto& pool : running_.pools) {
    std::vector<std::string> clients;
    for (const auto& [label, id] : pool.clients) clients.push_back(fmt::format("{} {}", label, id));
    text += fmt::format("  {} user pool: {}{}\n", pool.label, pool.id,
                        clients.empty() ? "" : fmt::format(" (clients: {})", fmt::join(clients, ", ")));
  }
  for (const auto& poller : running_.pollers)
    text += fmt::format("  {} queue → {} (batches of {})\n", poller.label,
                        running_.handlers[poller.handler].label, poller.batch);
  for (const auto& stream : running_.streams)
    text += fmt::format("  {} table's stream → {} (batches of {})\n", stream.label,
                        running_.handlers[stream.handler].label, stream.batch);
  for (const auto& timer : running_.timers)
    text += fmt::format("  {} timer → {} ({}{})\n", timer.label, running_.handlers[timer.handler].label,
                        timer.schedule, timer.next_ms ? "" : ": pareto dev reads no L, W or #, so only --now or its name typed fires it");
  for (const auto& [rule, handlers] : running_.rule_handlers)
    for (const auto& h : handlers)
      text += fmt::format("  rule {} → {}\n", rule, running_.handlers[h].label);
  for (const auto& [topic, handlers] : running_.topic_handlers)
    for (const auto& h : handlers)
      text += fmt::format("  topic {} → {}\n", topic.substr(topic.rfind(':') + 1), running_.handlers[h].label);
  if (!running_.timers.empty()) text += "  type a timer's name and Enter to fire it\n";
  text += "handlers run from their folders: a saved change runs at the next invocation; a saved "
          "pareto.yaml deploys again (Ctrl-C stops)\n";
  co_await session().err(text);
}

// One invocation in a process of the handler's runtime: its answer ({"result"} or {"error"}),
// said as one line with the handler's output under it.
Task<json> Dev::invoke(const Handler& h, json event, std::string trigger) {
  bool python = h.runtime == "python";
  std::string id = request_id();
  json request = {{"folder", h.folder}, {"module", h.module}, {"function", h.function}, {"event", event},
                  {"context", {{"function_name", h.name}, {"function_arn", h.arn}, {"memory_mb", h.memory_mb},
                               {"timeout_ms", h.timeout_ms}, {"request_id", id},
                               {"log_group", "/aws/lambda/" + h.name}, {"log_stream", "pareto-dev"}}}};
  json env = h.env;
  env.update({{"AWS_ENDPOINT_URL", cx_.target.endpoint},
              {"AWS_ENDPOINT_URL_LAMBDA", fmt::format("http://127.0.0.1:{}", lambda_port_)},
              {"AWS_REGION", region_}, {"AWS_DEFAULT_REGION", region_},
              {"AWS_ACCESS_KEY_ID", "testing"}, {"AWS_SECRET_ACCESS_KEY", "testing"},
              {"AWS_LAMBDA_FUNCTION_NAME", h.name}, {"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", std::to_string(h.memory_mb)},
              {"AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"}, {"AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + h.name}});
  std::string runner(embedded(python ? "data/engine/dev/runner.py" : "data/engine/dev/runner.js"));
  json step = {{"step", "start"}, {"argv", python ? json{"python", "-c", runner} : json{"node", "-e", runner}},
               {"cwd", h.folder}, {"env", env}, {"input", request.dump()}};
  json started = co_await session().perform(std::move(step));
  json done = {{"exit", 127}, {"stderr", started.value("error", json::object()).value("message", "")}};
  if (started.contains("process")) {
    // While it runs, its own Lambda calls are answered, and whatever else comes waits its turn.
    int64_t process = started["process"];
    while (!exited_.count(process)) {
      json event = co_await next_event(kIdleMs);
      co_await take(event);
    }
    done = std::move(exited_[process]);
    exited_.erase(process);
  }
  json answer;
  try {
    answer = json::parse(done.value("stdout", ""));
  } catch (const json::exception&) {
    answer = {{"error", {{"errorType", "Runtime.ExitError"},
                         {"errorMessage", fmt::format("the process exited with status {} before answering",
                                                      done.value("exit", -1))}}}};
  }
  int64_t took = done.value("milliseconds", int64_t{0});
  std::string outcome = "ok";
  if (answer.contains("error")) {
    const json& e = answer["error"];
    outcome = fmt::format("failed: {}: {}", e.value("errorType", "Error"), e.value("errorMessage", ""));
  }
  bool colour = session().facts().colour;
  bool failed = answer.contains("error");
  std::string line = fmt::format("{} {}: {} in {} ms", colour ? fmt::format(h.style, "{}", h.label) : h.label, trigger,
                                 colour && failed ? fmt::format(fmt::fg(fmt::terminal_color::red), "{}", outcome) : outcome,
                                 took);
  if (took > h.timeout_ms)
    line += fmt::format(" (over its {} s timeout: Lambda would have stopped it)", h.timeout_ms / 1000);
  line += "\n";
  std::string bar = colour ? fmt::format(h.style, "  │ ") : "  │ ";
  std::string output = done.value("stderr", "");
  size_t start = 0;
  while (start < output.size()) {
    size_t end = output.find('\n', start);
    if (end == std::string::npos) end = output.size();
    line += bar + output.substr(start, end - start) + "\n";
    start = end + 1;
  }
  co_await session().err(line);
  co_return answer;
}

// As Lambda runs an async invocation: retried as the function's invoke config says, then the
// failure record to its on-failure destination.
Task<void> Dev::invoke_async(const std::string& handler_id, json event, std::string trigger) {
  const Handler& h = running_.handlers.at(handler_id);
  json failure;
  int attempts = 0;
  for (; attempts <= h.retries; ++attempts) {
    std::string said = attempts == 0 ? trigger : fmt::format("{} (retry {} of {})", trigger, attempts, h.retries);
    json answer = co_await invoke(h, event, said);
    if (!answer.contains("error")) co_return;
    failure = answer["error"];
  }
  if (h.on_failure.empty()) co_return;
  json details = {{"requestPayload", event}, {"responsePayload", failure}};
  std::string qualified = h.arn + ":$LATEST";
  co_await send_failure(h.on_failure, qualified, "RetriesExhausted", attempts, details);
}

// Lambda's record of an invocation that ran out of retries, to its on-failure queue: `details`
// says what was invoked (the payload, or a stream's batch).
Task<void> Dev::send_failure(const std::string& queue, std::string function_arn, std::string condition,
                             int attempts, json details) {
  json record = {{"version", "1.0"}, {"timestamp", now_ms_},
                 {"requestContext", {{"requestId", request_id()}, {"functionArn", function_arn},
                                     {"condition", condition}, {"approximateInvokeCount", attempts}}},
                 {"responseContext", {{"statusCode", 200}, {"executedVersion", "$LATEST"}, {"functionError", "Unhandled"}}}};
  record.update(details);
  json message = {{"QueueUrl", queue}, {"MessageBody", record.dump()}};
  co_await session().call("sqs", "SendMessage", message);
}

Task<void> Dev::respond(int64_t id, int status, json headers, std::string body) {
  json step = {{"step", "respond"}, {"id", id}, {"status", status}, {"headers", std::move(headers)},
               {"body", base64_encode(body)}};
  co_await session().perform(std::move(step));
}

// "/hello/{id}" → ["hello", "{id}"]; empty parts are skipped.
std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  for (size_t start = 1; start < path.size();) {
    size_t end = std::min(path.find('/', start), path.size());
    if (end > start) out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// The route API Gateway picks for the path's parts: literal parts before {parameters}, then
// {proxy+}; its path parameters to `parameters`.
const Route* route_for(const Api& api, const std::string& method, const std::vector<std::string>& parts,
                       json& parameters) {
  const Route* best = nullptr;
  int best_score = -1;
  for (const auto& route : api.routes) {
    if (route.method != method && route.method != "ANY") continue;
    std::vector<std::string> pattern = segments(route.resource);
    json found = json::object();
    int score = route.method == method ? 1 : 0;
    bool fits = pattern.size() == parts.size();
    for (size_t i = 0; i < pattern.size() && i < parts.size(); ++i) {
      const std::string& part = pattern[i];
      if (part.size() > 3 && part.starts_with("{") && part.ends_with("+}")) {  // the rest
        std::string rest = parts[i];
        for (size_t j = i + 1; j < parts.size(); ++j) rest += "/" + parts[j];
        found[part.substr(1, part.size() - 3)] = rest;
        fits = i + 1 == pattern.size();
        break;
      }
      if (part.starts_with("{")) {
        found[part.substr(1, part.size() - 2)] = parts[i];
        score += 2;
      } else if (part == parts[i]) {
        score += 4;
      } else {
        fits = false;
        break;
      }
    }
    if (fits && score > best_score) {
      best = &route;
      best_score = score;
      parameters = found;
    }
  }
  return best;
}

// A request's header by its name in lower case ("" when it has none).
// A request's header, named in any case as HTTP's are.
std::string header_of(const json& request, std::string_view name) {
  auto same = [](unsigned char a, unsigned char b) { return std::tolower(a) == std::tolower(b); };
  for (const auto& pair : request.value("headers", json::array())) {
    const std::string& key = pair[0].get_ref<const std::string&>();
    if (std::equal(key.begin(), key.end(), name.begin(), name.end(), same)) return pair[1];
  }
  return "";
}

std::string percent_decoded(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i] == '+' ? ' ' : text[i];
    }
  }
  return out;
}

// A request to one of the APIs, answered as API Gateway would answer it.
Task<void> Dev::answer(const json& request) {
  int64_t id = request.value("id", int64_t{0});
  const Api* api = nullptr;
  for (const auto& each : running_.apis)
    if (each.label == request.value("server", "")) api = &each;
  for (const auto& each : running_.graphql)
    if (graphql_server(each.label) == request.value("server", "")) {
      co_await answer_graphql_request(each, request);
      co_return;
    }
  if (!api) co_return;
  std::string target = request.value("target", "/");
  std::string path = target.substr(0, target.find('?'));
  std::string query = target.find('?') == std::string::npos ? "" : target.substr(target.find('?') + 1);
  std::string method = request.value("method", "GET");
  json headers = json::object(), multi_headers = json::object();
  for (const auto& pair : request.value("headers", json::array())) {
    headers[pair[0].get<std::string>()] = pair[1];
    multi_headers[pair[0].get<std::string>()].push_back(pair[1]);
  }
  auto header = [&request](std::string_view name) { return header_of(request, name); };
  json query_parameters = json::object(), multi_query = json::object();
  for (size_t start = 0; start < query.size();) {
    size_t end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    std::string pair = query.substr(start, end - start);
    size_t equals = pair.find('=');
    std::string key = percent_decoded(pair.substr(0, equals));
    std::string value = equals == std::string::npos ? "" : percent_decoded(pair.substr(equals + 1));
    if (!key.empty()) {
      query_parameters[key] = value;
      multi_query[key].push_back(value);
    }
    start = end + 1;
  }
  std::vector<std::string> parts = segments(path);
  for (auto& part : parts) part = percent_decoded(part);
  std::string body = base64_decode(request.value("body", ""));
  auto refuse = [&](int status, std::string message) -> Task<void> {
    json out = api->error_headers;
    out["Content-Type"] = "application/json";
    std::string text = json{{"message", message}}.dump();
    co_await session().err(fmt::format("{} API {} {}: {} {}\n", api->label, method, path, status, message));
    co_await respond(id, status, out, text);
  };
  json path_parameters, claims;
  const Route* route = route_for(*api, method, parts, path_parameters);
  if (!route) {
    co_await refuse(403, "Missing Authentication Token");
    co_return;
  }
  if (route->handler.empty()) {  // CORS preflight: the MOCK integration's headers
    co_await respond(id, 200, route->mock_headers, "");
    co_return;
  }
  if (const auto authorizer = api->authorizers.find(route->authorizer); authorizer != api->authorizers.end()) {
    std::string refused = co_await refusal(authorizer->second, *route, request, claims);
    if (!refused.empty()) {
      co_await refuse(401, refused);
      co_return;
    }
  }
  if (route->api_key) {
    json keys = co_await session().call("apigateway", "GetApiKeys", "includeValues", true);
    bool known = false;
    for (const auto& key : keys.value("items", json::array()))
      if (key.value("value", "") == header("x-api-key") && key.value("enabled", true)) known = true;
    if (!known) {
      co_await refuse(403, "Forbidden");
      co_return;
    }
  }
  std::vector<std::string> missing;
  for (const auto& name : route->required_query)
    if (!query_parameters.contains(name)) missing.push_back(name);
  for (const auto& name : route->required_headers)
    if (header(name).empty()) missing.push_back(name);
  if (!missing.empty()) {
    co_await refuse(400, fmt::format("Missing required request parameters: [{}]", fmt::join(missing, ", ")));
    co_return;
  }
  if (route->body) {
    std::string type = header("content-type");
    bool is_json = type.empty() || type.starts_with("application/json");
    bool valid = is_json && json::accept(body);
    if (valid) valid = route->body->validate(json::parse(body)).empty();
    if (!valid) {
      co_await refuse(400, "Invalid request body");
      co_return;
    }
  }
  const Handler& h = running_.handlers.at(route->handler);
  json event = {{"resource", route->resource}, {"path", path}, {"httpMethod", method},
                {"headers", headers}, {"multiValueHeaders", multi_headers},
                {"queryStringParameters", query_parameters.empty() ? json() : query_parameters},
                {"multiValueQueryStringParameters", multi_query.empty() ? json() : multi_query},
                {"pathParameters", path_parameters.empty() ? json() : path_parameters},
                {"stageVariables", nullptr},
                {"requestContext", {{"resourcePath", route->resource}, {"httpMethod", method}, {"path", path},
                                    {"stage", cx_.target.stage}, {"requestId", request_id()},
                                    {"accountId", account_}, {"apiId", api->label}, {"protocol", "HTTP/1.1"},
                                    {"requestTimeEpoch", now_ms_},
                                    {"identity", {{"sourceIp", "127.0.0.1"}, {"userAgent", header("user-agent")}}}}},
                {"body", body.empty() ? json() : json(body)}, {"isBase64Encoded", false}};
  if (claims.is_object()) event["requestContext"]["authorizer"] = {{"claims", claims}};
  if (!body.empty() && !json::accept(body) && body.find('\0') != std::string::npos) {
    event["body"] = base64_encode(body);
    event["isBase64Encoded"] = true;
  }
  std::string trigger = method + " " + path;
  json answer = co_await invoke(h, event, trigger);
  const json& result = answer.value("result", json());
  if (answer.contains("error") || !result.is_object() || !result.value("statusCode", json()).is_number_integer()) {
    co_await refuse(502, "Internal server error");
    co_return;
  }
  json out = result.value("headers", json::object());
  const json multi_value = result.value("multiValueHeaders", json::object());
  for (const auto& [key, values] : multi_value.items())
    if (values.is_array() && !values.empty()) out[key] = values.back();
  std::string text;
  if (result.contains("body") && result["body"].is_string()) text = result["body"];
  if (result.value("isBase64Encoded", false)) text = base64_decode(text);
  co_await respond(id, result["statusCode"].get<int>(), out, text);
}

// Why a user pool token is refused ("" when it is not): not one, not issued by one of `pools`,
// not signed by the emulator's key for it, or expired. `claims` are the token's.
Task<std::string> Dev::token_refusal(std::string_view text, const std::vector<std::string>& pools, json& claims) {
  std::optional<Jwt> token = parsed_jwt(text);
  if (!token) co_return std::string(kUnauthorized);
  const json& c = token->claims;
  std::string issuer = c.value("iss", json()).is_string() ? c["iss"].get<std::string>() : "";
  std::string pool = issuer.substr(issuer.rfind('/') + 1);
  if (std::find(pools.begin(), pools.end(), pool) == pools.end() ||
      issuer != fmt::format("https://cognito-idp.{}.amazonaws.com/{}", region_, pool))
    co_return std::string(kUnauthorized);
  if (!keys_.count(pool)) {
    std::string url = fmt::format("{}/{}/.well-known/jwks.json", cx_.target.endpoint, pool);
    json step = {{"step", "fetch"}, {"url", url}};
    json fetched = co_await session().perform(std::move(step));
    std::string body = fetched.value("status", 0) == 200 ? fetched.value("body", "") : "";
    if (!json::accept(body)) throw Stop(fmt::format("the emulator served no keys for user pool {} at {}", pool, url));
    keys_[pool] = json::parse(body);
  }
  if (!signed_by(*token, keys_[pool])) co_return std::string(kUnauthorized);
  const json expires = c.value("exp", json());
  if (!expires.is_number() || expires.get<double>() * 1000 <= static_cast<double>(now_ms_))
    co_return std::string("The incoming token has expired");
  claims = c;
  co_return std::string();
}

// The audience a token is for: an ID token's aud, an access token's client_id.
std::string audience_of(const json& claims) {
  const json audience = claims.value(claims.value("token_use", json()) == "id" ? "aud" : "client_id", json());
  return audience.is_string() ? audience.get<std::string>() : "";
}

// Why a Cognito authorizer refuses the request, in API Gateway's words ("" when it passes), with
// the token's claims as the proxy event carries them (every value a string).
Task<std::string> Dev::refusal(const Authorizer& authorizer, const Route& route, const json& request, json& claims) {
  json c;
  std::string refused = co_await token_refusal(header_of(request, authorizer.header), authorizer.pools, c);
  if (!refused.empty()) co_return refused;
  bool id_token = c.value("token_use", json()) == "id";
  std::string granted = c.value("scope", json()).is_string() ? c["scope"].get<std::string>() : "";
  bool scoped = std::any_of(route.scopes.begin(), route.scopes.end(), [&](const std::string& scope) {
    return (" " + granted + " ").find(" " + scope + " ") != std::string::npos;
  });
  if (route.scopes.empty() ? !id_token : (c.value("token_use", json()) != "access" || !scoped))
    co_return std::string(kUnauthorized);
  if (authorizer.audience && !std::regex_match(audience_of(c), *authorizer.audience)) co_return std::string(kUnauthorized);
  claims = json::object();
  for (const auto& [key, value] : c.items()) claims[key] = text_of(value);
  co_return std::string();
}

// A request to a GraphQL API: authenticated as AppSync would, then the query answered with its
// resolvers' handlers.
Task<void> Dev::answer_graphql_request(const GraphqlApi& api, const json& request) {
  int64_t id = request.value("id", int64_t{0});
  std::string target = request.value("target", "/");
  json json_type = {{"Content-Type", "application/json"}};
  auto unauthorized = [&](std::string message) -> Task<void> {
    co_await session().err(fmt::format("{} GraphQL API: 401 {}\n", api.label, message));
    json body = {{"errors", json::array({{{"errorType", "UnauthorizedException"}, {"message", message}}})}};
    co_await respond(id, 401, json_type, body.dump());
  };
  if (target.substr(0, target.find('?')) != "/graphql" || request.value("method", "") != "POST") {
    json body = {{"errors", json::array({{{"message", "pareto dev serves the GraphQL API with POST /graphql"}}})}};
    co_await respond(id, 404, json_type, body.dump());
    co_return;
  }
  json headers = json::object();
  for (const auto& pair : request.value("headers", json::array())) {
    std::string name = pair[0].get<std::string>();
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    headers[name] = pair[1];
  }
  json identity;
  std::string authorization = header_of(request, "Authorization");
  if (api.auth == "API_KEY") {
    if (header_of(request, "x-api-key") != api.key) {
      co_await unauthorized("You are not authorized to make this call.");
      co_return;
    }
  } else if (api.auth == "AMAZON_COGNITO_USER_POOLS") {
    json claims;
    std::string refused = co_await token_refusal(authorization, api.pools, claims);
    if (refused.empty() && api.clients && !std::regex_match(audience_of(claims), *api.clients)) refused = kUnauthorized;
    if (!refused.empty()) {
      co_await unauthorized(refused == kUnauthorized ? "Valid authorization header not provided." : "Token has expired.");
      co_return;
    }
    json username = claims.value("cognito:username", claims.value("username", json()));
    identity = {{"sub", claims.value("sub", json())}, {"issuer", claims.value("iss", json())},
                {"username", username}, {"claims", claims}, {"sourceIp", json::array({"127.0.0.1"})},
                {"defaultAuthStrategy", "ALLOW"}, {"groups", claims.value("cognito:groups", json())}};
  } else {  // AWS_IAM: the caller and its key read from the signature, which is not checked here
    static const std::regex kSigned(R"(AWS4-HMAC-SHA256 Credential=([A-Z0-9]+)/.*)");
    std::smatch signed_by_key;
    if (!std::regex_match(authorization, signed_by_key, kSigned)) {
      co_await unauthorized("Valid authorization header not provided.");
      co_return;
    }
    identity = {{"accountId", account_}, {"cognitoIdentityPoolId", nullptr}, {"cognitoIdentityId", nullptr},
                {"sourceIp", json::array({"127.0.0.1"})}, {"username", signed_by_key[1].str()},
                {"userArn", fmt::format("arn:aws:iam::{}:root", account_)}, {"cognitoIdentityAuthType", nullptr},
                {"cognitoIdentityAuthProvider", nullptr}};
  }
  std::string body = base64_decode(request.value("body", ""));
  json query = json::parse(body, nullptr, false);
  GraphqlResolve resolve = [&](GraphqlField field) { return resolve_field(api, std::move(field), identity, headers); };
  json answered = co_await answer_graphql(api.model, query, resolve);
  if (answered.contains("errors"))
    for (const auto& error : answered["errors"])
      if (!error.contains("errorType"))  // resolvers' failures are said with their invocation
        co_await session().err(fmt::format("{} GraphQL API: {}\n", api.label, error.value("message", "")));
  co_await respond(id, 200, json_type, answered.dump());
}

// One field through its resolver's handler, with AppSync's direct Lambda resolver event.
Task<json> Dev::resolve_field(const GraphqlApi& api, GraphqlField field, const json& identity, const json& headers) {
  const Handler& h = running_.handlers.at(api.handlers.at({field.type, field.field}));
  field.event["identity"] = identity;
  field.event["request"] = {{"headers", headers}, {"domainName", nullptr}};
  std::string trigger = fmt::format("{}.{}", field.type, field.field);
  json answer = co_await invoke(h, std::move(field.event), std::move(trigger));
  co_return answer;
}

// The message ids a handler reported as failed, as Lambda reads ReportBatchItemFailures: no
// answer, no list or an empty one is success; anything else but a list of known ids fails all.
bool reported_failures(const json& result, const json& messages, std::set<std::string>& failed) {
  if (result.is_null()) return true;
  if (!result.is_object()) return false;
  const json failures = result.value("batchItemFailures", json());
  if (failures.is_null()) return true;
  if (!failures.is_array()) return false;
  std::set<std::string> ids;
  for (const auto& m : messages) ids.insert(m.value("MessageId", ""));
  for (const auto& failure : failures) {
    const json id = failure.is_object() ? failure.value("itemIdentifier", json()) : json();
    if (!id.is_string() || !ids.count(id.get<std::string>())) return false;
    failed.insert(id.get<std::string>());
  }
  return true;
}

// One batch of a queue's messages to its handler, as an event source mapping delivers it.
Task<bool> Dev::poll(const Poller& poller) {
  json receive = {{"QueueUrl", poller.url}, {"MaxNumberOfMessages", std::min(poller.batch, kReceiveLimit)},
                  {"WaitTimeSeconds", 0}, {"AttributeNames", {"All"}}, {"MessageAttributeNames", {"All"}}};
  json received = co_await session().call("sqs", "ReceiveMessage", receive);
  json messages = received.value("Messages", json::array());
  if (messages.empty()) co_return false;
  json records = json::array();
  for (const auto& m : messages)
    records.push_back({{"messageId", m.value("MessageId", "")}, {"receiptHandle", m.value("ReceiptHandle", "")},
                       {"body", m.value("Body", "")}, {"attributes", m.value("Attributes", json::object())},
                       {"messageAttributes", m.value("MessageAttributes", json::object())},
                       {"md5OfBody", m.value("MD5OfBody", "")}, {"eventSource", "aws:sqs"},
                       {"eventSourceARN", poller.arn}, {"awsRegion", region_}});
  json event = {{"Records", records}};
  std::string trigger = fmt::format("{} queue, {}", poller.label, plural(records.size(), "message", "messages"));
  json answer = co_await invoke(running_.handlers.at(poller.handler), event, trigger);
  if (answer.contains("error")) co_return true;  // each message comes back after the visibility timeout
  std::set<std::string> failed;
  if (poller.partial && !reported_failures(answer.value("result", json()), messages, failed)) {
    co_await session().err("  the batch's answer is not a batchItemFailures report that names its messages: "
                           "the whole batch failed, and comes back after the visibility timeout\n");
    co_return true;
  }
  json entries = json::array();
  for (const auto& m : messages)
    if (!failed.count(m.value("MessageId", "")))
      entries.push_back({{"Id", std::to_string(entries.size())}, {"ReceiptHandle", m.value("ReceiptHandle", "")}});
  if (!failed.empty())
    co_await session().err(fmt::format("  {} reported as failed: they come back after the queue's visibility timeout\n",
                                       plural(failed.size(), "message", "messages")));
  if (!entries.empty()) {
    json remove = {{"QueueUrl", poller.url}, {"Entries", entries}};
    co_await session().call("sqs", "DeleteMessageBatch", remove);
  }
  co_return true;
}

// A shard's new records to the stream's handler, retried as its mapping says, then the batch's
// failure record to its on-failure destination.
Task<bool> Dev::read_stream(StreamPoller& stream) {
  bool any = false;
  for (auto& [shard, iterator] : stream.iterators) {
    if (iterator.empty()) continue;
    json request = {{"ShardIterator", iterator}, {"Limit", stream.batch}};
    json got = co_await session().call("dynamodbstreams", "GetRecords", request);
    std::string read_from = iterator;
    iterator = got.value("NextShardIterator", "");
    json records = got.value("Records", json::array());
    if (records.empty()) continue;
    any = true;
    for (auto& record : records) record["eventSourceARN"] = stream.arn;
    json event = {{"Records", records}};
    const Handler& h = running_.handlers.at(stream.handler);
    bool failed = true;
    int attempts = 0;
    // Without a retry limit a failing batch blocks its shard, read again at the next turn.
    int limit = std::max(stream.retries, 0);
    for (; attempts <= limit; ++attempts) {
      std::string trigger = fmt::format("{} table's stream, {}{}", stream.label,
                                        plural(records.size(), "record", "records"),
                                        attempts == 0 ? "" : fmt::format(" (retry {})", attempts));
      json answer = co_await invoke(h, event, trigger);
      failed = answer.contains("error");
      if (!failed) break;
    }
    if (failed && stream.retries < 0) iterator = read_from;
    if (!failed || stream.retries < 0 || stream.on_failure.empty()) continue;
    json batch = {{"shardId", shard}, {"streamArn", stream.arn}, {"batchSize", records.size()},
                  {"startSequenceNumber", records.front()["dynamodb"].value("SequenceNumber", "")},
                  {"endSequenceNumber", records.back()["dynamodb"].value("SequenceNumber", "")}};
    json details = {{"DDBStreamBatchInfo", batch}};
    co_await send_failure(stream.on_failure, h.arn, "RetryAttemptsExhausted", attempts, details);
  }
  co_return any;
}

// The taps' messages: bus events matched against the app's rules, topic messages to the
// topics' subscribers.
Task<bool> Dev::tapped(const std::string& url) {
  json receive = {{"QueueUrl", url}, {"MaxNumberOfMessages", kReceiveLimit}, {"WaitTimeSeconds", 0}};
  json received = co_await session().call("sqs", "ReceiveMessage", receive);
  json messages = received.value("Messages", json::array());
  for (const auto& m : messages) {
    json remove = {{"QueueUrl", url}, {"ReceiptHandle", m.value("ReceiptHandle", "")}};
    co_await session().call("sqs", "DeleteMessage", remove);
    json body = json::parse(m.value("Body", "{}"), nullptr, false);
    if (body.is_discarded()) continue;
    if (body.contains("TopicArn")) {
      std::string topic = body.value("TopicArn", "");
      json record = {{"EventSource", "aws:sns"}, {"EventVersion", "1.0"},
                     {"EventSubscriptionArn", topic + ":pareto-dev"}, {"Sns", body}};
      json event = {{"Records", json::array({record})}};
      std::vector<std::string> handlers = running_.topic_handlers[topic];
      std::string trigger = fmt::format("topic {}", topic.substr(topic.rfind(':') + 1));
      for (const auto& h : handlers) co_await invoke_async(h, event, trigger);
      continue;
    }
    json fired = json::parse(running_.rules->match(body.dump()));
    for (const auto& rule : fired) {
      std::vector<std::string> handlers = running_.rule_handlers[rule.get<std::string>()];
      std::string trigger = fmt::format("rule {} ({})", rule.get<std::string>(), body.value("detail-type", ""));
      for (const auto& h : handlers) co_await invoke_async(h, body, trigger);
    }
  }
  co_return !messages.empty();
}

// A timer's target invoked as EventBridge invokes it: async, with the target's Input.
Task<void> Dev::fire(const Timer& timer) {
  json event = timer.input.is_null() ? json::object() : timer.input;
  std::string trigger = fmt::format("timer {}", timer.label);
  co_await invoke_async(timer.handler, event, trigger);
}

const Timer* Dev::timer_named(std::string_view name) const {
  for (const auto& timer : running_.timers)
    if (timer.label == name) return &timer;
  return nullptr;
}

std::string Dev::timer_names() const {
  std::vector<std::string> names;
  for (const auto& timer : running_.timers) names.push_back(timer.label);
  return fmt::format("{}", fmt::join(names, ", "));
}

Task<void> Dev::fire_timer(const std::string& name) {
  const Timer* timer = timer_named(name);
  if (!timer)
    throw Stop(fmt::format("--now {}: the app has no such timer{}", name,
                           running_.timers.empty() ? "" : fmt::format(" (it has {})", timer_names())), kExitUsage);
  co_await fire(*timer);
}

// What the host has for dev within `milliseconds`: a request, a typed line or a process's end.
Task<json> Dev::next_event(int64_t milliseconds) {
  json incoming = {{"step", "incoming"}, {"milliseconds", milliseconds}, {"lines", true}};
  json got = co_await session().perform(std::move(incoming));
  now_ms_ = got.value("now_ms", now_ms_ + milliseconds);
  co_return got;
}

// An event filed: handlers' Lambda calls answered at once (their caller is waiting), the rest
// kept for their turn. False when nothing came.
Task<bool> Dev::take(const json& event) {
  if (event.contains("exited")) exited_[event["exited"].value("process", int64_t{0})] = event["exited"];
  if (event.contains("line")) lines_.push_back(event["line"]);
  if (!event.contains("request")) co_return event.contains("exited") || event.contains("line");
  if (event["request"].value("server", "") == kLambdaServer) {
    co_await answer_lambda(event["request"]);
  } else {
    requests_.push_back(event["request"]);
  }
  co_return true;
}

// A handler's own Lambda Invoke, answered as Lambda answers it: RequestResponse runs the
// function and returns its answer, Event queues an async invocation (202), DryRun only checks.
Task<void> Dev::answer_lambda(const json& request) {
  int64_t id = request.value("id", int64_t{0});
  std::string target = request.value("target", "/");
  std::vector<std::string> parts = segments(target.substr(0, target.find('?')));
  auto refuse = [&](int status, std::string type, std::string message) -> Task<void> {
    json headers = {{"Content-Type", "application/json"}, {"x-amzn-ErrorType", type}};
    std::string body = json{{"Type", "User"}, {"message", message}}.dump();
    co_await respond(id, status, headers, body);
  };
  if (request.value("method", "") != "POST" || parts.size() != 4 || parts[1] != "functions" || parts[3] != "invocations") {
    co_await refuse(501, "ServiceException",
                    fmt::format("pareto dev answers handlers' Lambda Invoke calls only, not {} {}",
                                request.value("method", ""), target));
    co_return;
  }
  std::string name = percent_decoded(parts[2]);
  const Handler* called = nullptr;
  for (const auto& [handler_id, h] : running_.handlers)
    if (name == h.name || name == h.arn || name.starts_with(h.name + ":") || name.starts_with(h.arn + ":"))
      called = &h;
  if (!called) {
    co_await refuse(404, "ResourceNotFoundException",
                    fmt::format("Function not found: arn:aws:lambda:{}:{}:function:{}", region_, account_, name));
    co_return;
  }
  std::string body = base64_decode(request.value("body", ""));
  json event = body.empty() ? json::object() : json::parse(body, nullptr, false);
  if (event.is_discarded()) {
    co_await refuse(400, "InvalidRequestContentException", "Could not parse request body into json");
    co_return;
  }
  std::string type = header_of(request, "x-amz-invocation-type");
  json headers = {{"Content-Type", "application/json"}, {"X-Amz-Executed-Version", "$LATEST"}};
  if (type == "DryRun") {
    co_await respond(id, 204, headers, "");
  } else if (type == "Event") {
    queued_.push_back({called->id, std::move(event)});
    co_await respond(id, 202, headers, "");
  } else {
    std::string trigger = "Invoke (RequestResponse)";
    json answer = co_await invoke(*called, std::move(event), trigger);
    if (answer.contains("error")) headers["X-Amz-Function-Error"] = "Unhandled";
    std::string payload = (answer.contains("error") ? answer["error"] : answer.value("result", json())).dump();
    co_await respond(id, 200, headers, payload);
  }
}

// A line typed at pareto dev: a timer's name fires it.
Task<void> Dev::typed(const std::string& line) {
  std::string name = line;
  name.erase(0, name.find_first_not_of(" \t\r"));
  name.erase(name.find_last_not_of(" \t\r") + 1);
  if (const Timer* timer = timer_named(name)) {
    co_await fire(*timer);
  } else if (running_.timers.empty()) {
    co_await session().err("pareto dev: the app has no timers to fire\n");
  } else {
    co_await session().err(fmt::format("pareto dev: no timer \"{}\"; type one of {} and Enter to fire it\n", name,
                                       timer_names()));
  }
}

// One turn: what came while handlers ran, else an event within kIdleMs, else what the queues
// and timers hold.
Task<bool> Dev::step() {
  if (requests_.empty() && lines_.empty() && queued_.empty()) {
    json event = co_await next_event(kIdleMs);
    co_await take(event);
  }
  if (!requests_.empty()) {
    json request = std::move(requests_.front());
    requests_.pop_front();
    co_await answer(request);
    co_return true;
  }
  if (!lines_.empty()) {
    std::string line = std::move(lines_.front());
    lines_.pop_front();
    co_await typed(line);
    co_return true;
  }
  if (!queued_.empty()) {
    Queued invocation = std::move(queued_.front());
    queued_.pop_front();
    std::string trigger = "Invoke (Event)";
    co_await invoke_async(invocation.handler, std::move(invocation.event), trigger);
    co_return true;
  }
  bool busy = false;
  for (const auto& poller : running_.pollers) {
    bool delivered = co_await poll(poller);
    busy = busy || delivered;
  }
  for (auto& stream : running_.streams) {
    bool delivered = co_await read_stream(stream);
    busy = busy || delivered;
  }
  for (const auto& tap : running_.taps) {
    bool delivered = co_await tapped(tap);
    busy = busy || delivered;
  }
  for (auto& timer : running_.timers) {
    if (timer.next_ms == 0 || now_ms_ < timer.next_ms) continue;
    timer.next_ms = timer.cron ? timer.cron->next(now_ms_).value_or(0) : now_ms_ + timer.every_ms;
    co_await fire(timer);
    busy = true;
  }
  co_return busy;
}

std::string fingerprint_of(const App& app) {
  if (!app.valid()) return app.errors();
  return app.synth() + app.nested_stacks();
}

}  // namespace

Task<int> dev_command(Context& cx, DevHooks hooks) {
  Session& session = cx.session;
  Options deploy = cx.options;
  deploy.yes = true;
  Context deploying{session, deploy, cx.app, cx.target};
  co_await session.err(fmt::format("pareto dev: deploying {} to the emulator at {}\n", cx.target.stack,
                                   cx.target.endpoint));
  co_await deploy_command(deploying);
  json parameters = parameter_values(json::parse(cx.app.synth()), cx.options.parameters);
  std::vector<Built> built = co_await build_code(session, cx.app, parameters);
  Dev dev(cx, session.now_ms());
  co_await dev.read(cx.app, built);
  co_await dev.serve(cx.options.port);
  co_await dev.introduce();
  for (const auto& timer : cx.options.now) co_await dev.fire_timer(timer);
  std::string seen = fingerprint_of(cx.app);
  int64_t idle_ms = 0;
  std::optional<App> current;
  bool stopped = false;
  try {
    for (;;) {
      bool busy = co_await dev.step();
      idle_ms = busy ? 0 : idle_ms + kIdleMs;
      if (idle_ms < kReloadCheckMs) continue;
      idle_ms = 0;
      std::optional<App> app = co_await hooks.reload();
      if (!app) continue;
      std::string now = fingerprint_of(*app);
      if (now == seen) continue;
      seen = now;
      if (!app->valid()) {
        co_await session.err(hooks.errors(*app) + "pareto dev: the app above has errors; the last one keeps running\n");
        continue;
      }
      current.emplace(std::move(*app));
      Context again{session, deploy, *current, cx.target};
      std::string failed;
      try {
        co_await deploy_command(again);
        std::vector<Built> rebuilt = co_await build_code(session, *current, parameters);
        co_await dev.read(*current, rebuilt);
        co_await dev.serve(cx.options.port);
        co_await dev.introduce();
      } catch (const Interrupted&) {
        throw;
      } catch (const Stop& stop) {
        failed = stop.what();
      } catch (const AwsError& error) {
        failed = error.said();
      }
      if (!failed.empty())
        co_await session.err(fmt::format("pareto dev: {}; the last app keeps running\n", failed));
    }
  } catch (const Interrupted&) {
    stopped = true;
  }
  if (stopped) co_await session.err("pareto dev: stopped\n");
  co_return 0;
}

}  // namespace pareto::engine
