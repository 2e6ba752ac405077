// The pareto command line, parsed with CLI11, and the commands that need no AWS.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>

#include "engine/command.hpp"
#include "engine/build.hpp"
#include "engine/dev.hpp"
#include "engine/files.hpp"
#include "load/sources.hpp"

namespace pareto::engine {

namespace {
namespace fs = std::filesystem;

constexpr std::string_view kStagePattern = "^[a-z][a-z0-9]{0,15}$";

// One "file:line:column: path: message [check]" line per error.
std::string error_lines(const json& errors) {
  std::string out;
  for (const auto& e : errors) {
    std::string where = e.value("file", "");
    if (e.value("line", 0) > 0)
      where += fmt::format(":{}:{}", e.value("line", 0), e.value("column", 0));
    std::string path = e.value("path", "");
    out += fmt::format("{}{}: {} [{}]\n", where.empty() ? "" : where + ": ",
                       path.empty() ? "/" : path, e.value("message", ""), e.value("check", ""));
  }
  return out;
}

// The app at options.app_path, loaded by the host (with the custom kinds it can run). Its
// errors are printed and end the command unless `allow_invalid`.
// `again`: loaded anew from its files, as they are now (watch).
Task<std::optional<App>> load_app(Session& session, const Options& options, bool allow_invalid,
                                  bool again = false) {
  if (!std::regex_match(options.stage, std::regex(std::string(kStagePattern))))
    throw Stop(fmt::format("--stage must be lower-case letters and digits, at most 16; got \"{}\"",
                           options.stage), kExitUsage);
  json load = {{"step", "load"}, {"path", options.app_path}, {"kinds", options.kinds},
               {"stage", options.stage}};
  if (again) load["again"] = true;
  json answer = co_await session.perform(std::move(load));
  if (answer.contains("error"))
    throw Stop(answer["error"].value("message", options.app_path + ": cannot be loaded"),
               kExitUsage);
  if (answer.contains("errors")) {
    co_await session.err(error_lines(answer["errors"]));
    co_return std::nullopt;
  }
  if (!session.lent_app()) throw Stop("the host answered load without lending the app");
  App app = App::borrow(session.lent_app());
  // A library call lends the app its caller loaded: for another stage's settings, it is not this one's.
  if (auto loaded = app.stage(); loaded && *loaded != options.stage)
    throw Stop(fmt::format("the app was loaded with stage {}'s settings, and this command is for "
                           "stage {}: load it for that stage", *loaded, options.stage), kExitUsage);
  if (!app.valid() && !allow_invalid) {
    if (auto modules = json::parse(app.kind_modules()); !modules.empty() && session.facts().host == "native")
      co_await session.err(fmt::format(
          "pareto: {} names custom kind modules ({}): this native command runs no Python or "
          "JavaScript to load them; use the pareto command of the Python or Node package\n",
          options.app_path, fmt::join(modules.get<std::vector<std::string>>(), ", ")));
    co_await session.err(error_lines(json::parse(app.errors())));
    co_return std::nullopt;
  }
  co_return app;
}

// Writes to stdout, or to a file all or nothing.
Task<int> emit(Session& session, std::string text, std::string output) {
  if (output.empty() || output == "-") {
    co_await session.out(std::move(text));
    co_return 0;
  }
  if (!write_atomically(output, text)) throw Stop(fmt::format("cannot write {}", output));
  co_return 0;
}

// template.json → template.Stack01.json
std::string nested_path(const std::string& output, const std::string& name) {
  fs::path path(output);
  return (path.parent_path() / (path.stem().string() + "." + name + path.extension().string()))
      .string();
}

Task<int> validate(Session& session, const Options& options) {
  auto app = co_await load_app(session, options, options.json);
  if (!app) co_return kExitFailed;
  if (options.json) {
    co_await session.out(json::parse(app->errors()).dump(2) + "\n");
    co_return app->valid() ? 0 : kExitFailed;
  }
  co_await session.err(fmt::format("{}: valid\n", app->name()));
  co_return 0;
}

// The template, and beside it (FILE.json → FILE.Stack01.json) each nested stack's.
Task<int> write_stacks(Session& session, const Options& options, const App& app) {
  auto nested = json::parse(app.nested_stacks());
  bool to_stdout = options.output.empty() || options.output == "-";
  if (!nested.empty() && to_stdout)
    co_await session.err(fmt::format("pareto: the app needs {} nested stacks; -o FILE writes "
                                     "their templates beside FILE\n", nested.size()));
  if (!to_stdout)
    for (const auto& stack : nested)
      co_await emit(session, stack["template"], nested_path(options.output, stack["name"]));
  co_return co_await emit(session, app.synth(), options.output);
}

// synth --stage: the stacks as a deploy to the stage would place them.
Task<int> synth_deployed(Context& cx) {
  App placed = co_await placed_for_stack(cx);
  co_return co_await write_stacks(cx.session, cx.options, placed);
}

using AwsCommand = Task<int> (*)(Context&);
Task<int> on_aws(Session& session, const Options& options, const App& app, AwsCommand command);

// The stage's template; nested stacks are placed as its deployed stacks hold them, which only
// AWS knows (one stack has nothing to place).
Task<int> synth(Session& session, const Options& options) {
  auto app = co_await load_app(session, options, false);
  if (!app) co_return kExitFailed;
  if (options.synth_deployed && !json::parse(app->nested_stacks()).empty())
    co_return co_await on_aws(session, options, *app, synth_deployed);
  co_return co_await write_stacks(session, options, *app);
}

Task<int> graph(Session& session, const Options& options) {
  auto app = co_await load_app(session, options, false);
  if (!app) co_return kExitFailed;
  co_return co_await emit(session, app->graph(options.format), options.output);
}

Task<int> budget(Session& session, const Options& options) {
  auto app = co_await load_app(session, options, false);
  if (!app) co_return kExitFailed;
  if (!options.json) co_return co_await emit(session, app->budget("text"), "");
  co_return co_await emit(session, json::parse(app->budget("json")).dump(2) + "\n", "");
}

Task<int> package(Session& session, const Options& options) {
  auto app = co_await load_app(session, options, false);
  if (!app) co_return kExitFailed;
  json parameters = parameter_values(json::parse(app->synth()), options.parameters);
  std::vector<Built> archives = co_await build_code(session, *app, parameters);
  // Every archive is made before any is written: a failed build leaves what was there.
  fs::path output = options.output.empty() ? fs::path(app->base_dir()) / ".pareto" / "package"
                                           : fs::path(options.output);
  for (const auto& built : archives) {
    fs::path file = output / (built.name + ".zip");
    std::error_code error;
    fs::create_directories(file.parent_path(), error);
    if (error || !write_atomically(file.string(), built.data))
      throw Stop(fmt::format("cannot write {}", file.string()));
    std::string line = fmt::format("{}: {} bytes, key {}\n", file.string(),
                                   thousands(built.data.size()), built.key);
    co_await session.err(line);
  }
  co_return 0;
}

// JSON given inline ({...}), as a file path, or as "-" for standard input.
std::string json_argument(const std::string& argument) {
  size_t first = argument.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && (argument[first] == '{' || argument[first] == '['))
    return argument;
  if (argument == "-") {
    std::ostringstream text;
    text << std::cin.rdbuf();
    return text.str();
  }
  auto text = read_text_file(argument);
  if (!text) throw Stop(fmt::format("{}: no such file, and not inline JSON", argument), kExitUsage);
  return *text;
}

// The rules a match command tests: the pattern given, or the app's event rules.
Task<std::optional<std::string>> rules_to_match(Session& session, const Options& options) {
  if (options.rules.empty()) {
    if (options.match.size() != 2)
      throw Stop("give PATTERN and EVENT, or --rules APP and EVENT", kExitUsage);
    co_return "{\"pattern\": " + json_argument(options.match.front()) + "}";
  }
  if (options.match.size() != 1) throw Stop("with --rules, give only EVENT", kExitUsage);
  Options app_options = options;
  app_options.app_path = options.rules;
  std::optional<App> app = co_await load_app(session, app_options, false);
  if (!app) co_return std::nullopt;
  json deployed = json::parse(app->rules(options.stage));
  std::string skipped;
  for (const auto& [id, why] : deployed["skipped"].items())
    skipped += fmt::format("{}: skipped: {}\n", id, why.get<std::string>());
  co_await session.err(skipped);
  co_return deployed["rules"].dump();
}

// Exit 0 when the event matches (a rule fires), 1 when not, 2 on a bad pattern or event.
Task<int> match(Session& session, const Options& options) {
  bool with_rules = !options.rules.empty();
  std::string event = json_argument(options.match.back());
  std::optional<std::string> rules_json = co_await rules_to_match(session, options);
  if (!rules_json) co_return kExitUsage;
  if (!json::accept(*rules_json)) throw Stop("the pattern is not JSON", kExitUsage);
  Rules rules = Rules::compile(*rules_json);
  std::string problems;
  for (const auto& e : json::parse(rules.errors())) {
    std::string path = e["path"];
    if (!with_rules) path = path.substr(std::string("/pattern").size());
    problems += fmt::format("pattern: {}: {} [{}]\n", path.empty() ? "/" : path,
                            e["message"].get<std::string>(), e["check"].get<std::string>());
  }
  co_await session.err(problems);
  if (!rules.valid()) co_return kExitUsage;
  if (!json::accept(event)) throw Stop("the event is not JSON", kExitUsage);
  json fired;
  try {
    fired = json::parse(rules.match(event));
  } catch (const Error&) {  // the one JSON event the matcher refuses, as EventBridge would
    throw Stop("the event is nested deeper than 1,000 levels", kExitUsage);
  }
  std::string answer = with_rules ? "" : fired.empty() ? "no match\n" : "match\n";
  if (with_rules && fired.empty()) answer = "no rule matches\n";
  for (const auto& name : fired)
    if (with_rules) answer += name.get<std::string>() + "\n";
  co_await session.out(answer);
  co_return fired.empty() ? kExitFailed : 0;
}

// A stack value (Ref, Fn::GetAtt, ...) stands in as "users-table" for USERS_TABLE.
std::string placeholder(const std::string& name, const json& value) {
  if (value.is_string()) return value;
  std::string out = name;
  for (char& c : out) c = c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The variables the template gives the function with this handler, and stand-in AWS
// credentials so that clients can be made; tests that call AWS bring their own mocks.
// The function's variables (found by its archive's key, which is its own).
json test_environment(const json& templ, const json& key) {
  json env = json::object();
  for (const auto& [id, resource] : templ["Resources"].items()) {
    const json& properties = resource["Properties"];
    if (resource.value("Type", "") != "AWS::Lambda::Function" ||
        properties.value("Code", json::object()).value("S3Key", json()) != key)
      continue;
    json variables = properties.value("Environment", json::object()).value("Variables", json::object());
    for (const auto& [name, value] : variables.items()) env[name] = placeholder(name, value);
  }
  env.update({{"AWS_DEFAULT_REGION", "us-east-1"}, {"AWS_ACCESS_KEY_ID", "testing"},
              {"AWS_SECRET_ACCESS_KEY", "testing"}, {"AWS_SESSION_TOKEN", "testing"}});
  return env;
}

// A test file (load/sources.hpp) that the runtime's runner takes.
bool test_file_of(const std::string& name, bool python) {
  if (!is_test_file(name)) return false;
  if (python) return name.ends_with(".py");
  return name.ends_with(".js") || name.ends_with(".mjs") || name.ends_with(".cjs");
}

std::vector<std::string> find_tests(const fs::path& folder, bool python) {
  std::vector<std::string> found;
  std::error_code error;
  for (auto it = fs::recursive_directory_iterator(folder, error); !error && it != fs::end(it);
       it.increment(error)) {
    std::string name = it->path().filename().string();
    if (it->is_directory(error)) {
      if (name == "node_modules" || name == "__pycache__") it.disable_recursion_pending();
    } else if (test_file_of(name, python)) {
      found.push_back(it->path().string());
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

// Each action's unit tests, run beside its handler with the environment the template gives it.
Task<int> test(Session& session, const Options& options) {
  auto app = co_await load_app(session, options, false);
  if (!app) co_return kExitFailed;
  if (app->base_dir().empty()) throw Stop("the app was not loaded from a folder: no handler tests to find");
  json templ = json::parse(app->synth());
  std::vector<std::string> failed;
  for (const auto& function : json::parse(app->functions())) {
    if (!function.contains("action")) continue;
    std::string action = function["action"];
    bool python = function["runtime"] == "python";
    fs::path folder = fs::weakly_canonical(fs::path(app->base_dir()) / function["path"].get<std::string>());
    std::vector<std::string> tests = find_tests(folder, python);
    if (tests.empty()) {
      co_await session.err(fmt::format("{}: no tests\n", action));
      continue;
    }
    json env = test_environment(templ, function["key"]);
    // Siblings import by name, as from the archive's root.
    std::vector<std::string> siblings;
    if (python) siblings.push_back(folder.string());
    add_import_path(env, app->base_dir(), function, std::move(siblings));
    std::vector<std::string> argv;
    if (python) argv = {"python", "-m", "pytest", "-q", "-p", "no:cacheprovider"};
    else argv = {"node", "--test"};
    argv.insert(argv.end(), tests.begin(), tests.end());
    json outcome = co_await session.run(argv, folder.string(), env);
    int exit = outcome.value("exit", 127);
    co_await session.err(fmt::format("{}: {} test file(s) {}\n", action, tests.size(),
                                     exit == 0 ? "passed" : "failed"));
    std::string output = outcome.value("output", "");
    while (!output.empty() && std::isspace(static_cast<unsigned char>(output.back()))) output.pop_back();
    if ((exit != 0 || options.verbose) && !output.empty()) co_await session.err(output + "\n");
    if (exit != 0) failed.push_back(action);
  }
  if (!failed.empty()) co_await session.err(fmt::format("failed: {}\n", fmt::join(failed, ", ")));
  co_return failed.empty() ? 0 : kExitFailed;
}

// Where the commands that reach AWS act: the host's SDK session for the profile and region, or
// the emulator's (started here for --local without an endpoint URL).
Task<Target> connect(Session& session, const Options& options, const App& app) {
  Target target;
  target.app = app.name();
  target.stage = options.stage;
  target.stack = app.name() + "-" + options.stage;
  std::string endpoint = options.endpoint_url;
  if (const char* variable = std::getenv("PARETO_ENDPOINT_URL"); endpoint.empty() && variable)
    endpoint = variable;
  json request = {{"step", "connect"}};
  if (options.local || !endpoint.empty()) {
    if (endpoint.empty()) {
      json emulator = {{"step", "emulator"}, {"keep", options.keep_local}};
      json started = co_await session.perform(std::move(emulator));
      if (started.contains("error"))
        throw Stop(fmt::format("local mode needs moto's server (pip install 'pareto[local]'): {}",
                               started["error"].value("message", "it did not start")));
      endpoint = started.value("endpoint", "");
      if (options.keep_local)
        co_await session.err(fmt::format("moto's server keeps running at {}\n", endpoint));
    }
    target.local = true;
    target.endpoint = endpoint;
    target.poll_ms = 200;
    request.update({{"endpoint", endpoint}, {"region", "us-east-1"},
                    {"credentials", {{"access_key_id", "testing"}, {"secret_access_key", "testing"}}}});
  } else {
    if (!options.profile.empty()) request["profile"] = options.profile;
    if (!options.region.empty()) request["region"] = options.region;
  }
  json answer = co_await session.perform(request);
  if (answer.contains("error"))
    throw Stop(fmt::format("cannot reach AWS: {}", answer["error"].value("message", "")));
  target.region = answer.value("region", "us-east-1");
  co_return target;
}

void require_aws(Session& session, const Options& options) {
  if (!session.facts().aws)
    throw Stop(fmt::format("{} reaches AWS, which this native command does not do: use the pareto "
                           "command of the Python package (pip install ./python) or of the Node "
                           "package (npx pareto), or a host of your own over pareto_flow_start",
                           options.command), kExitUsage);
}

Task<int> on_aws(Session& session, const Options& options, const App& app, AwsCommand command) {
  require_aws(session, options);
  Target target = co_await connect(session, options, app);
  Context context{session, options, app, std::move(target)};
  co_return co_await command(context);
}

Task<int> with_aws(Session& session, const Options& options, AwsCommand command) {
  require_aws(session, options);
  auto app = co_await load_app(session, options, false);
  if (!app) co_return kExitFailed;
  co_return co_await on_aws(session, options, *app, command);
}

// What a saved change is to watch: the app's errors, or its template and what its archives are
// made from.
std::string fingerprint(const App& app) {
  if (!app.valid()) return app.errors();
  return app.synth() + app.nested_stacks() + app.functions();
}

// Deploys, then deploys again on every saved change to the app's folder (polled: no watcher of
// the host's is needed), hot swapping when only code changed. A change that fails to deploy is
// said and waited past; the command ends when the host is interrupted.
Task<int> watch(Session& session, const Options& options) {
  constexpr int64_t kPollMs = 500;
  require_aws(session, options);
  auto first = co_await load_app(session, options, false);
  if (!first) co_return kExitFailed;
  Target target = co_await connect(session, options, *first);
  Options deploy = options;
  deploy.hotswap = true;
  deploy.yes = true;
  std::string seen;
  for (bool again = false;; again = true) {
    std::optional<App> app = co_await load_app(session, options, true, again);
    std::string now = fingerprint(*app);
    if (now != seen) {
      seen = now;
      std::string failed;
      if (!app->valid()) {
        failed = error_lines(json::parse(app->errors()));
      } else {
        Context context{session, deploy, *app, target};
        try {
          co_await deploy_command(context);
        } catch (const Interrupted&) {
          throw;  // Ctrl-C ends the watch
        } catch (const Stop& stop) {
          failed = fmt::format("pareto: {}\n", stop.what());
        } catch (const AwsError& error) {
          failed = fmt::format("pareto: {}\n", error.said());
        }
      }
      if (!failed.empty()) co_await session.err(failed);
      std::string line = fmt::format("watching {} for changes (Ctrl-C stops)\n", options.app_path);
      co_await session.err(line);
      session.standing("");  // idle: an interrupt leaves nothing under way
    }
    co_await session.wait(kPollMs);
  }
}

// The app deployed to an emulator and run here until interrupted (engine/dev.cpp).
Task<int> dev(Session& session, const Options& given) {
  require_aws(session, given);
  Options options = given;
  options.local = true;
  auto app = co_await load_app(session, options, false);
  if (!app) co_return kExitFailed;
  Target target = co_await connect(session, options, *app);
  target.dev = true;
  Context context{session, options, *app, target};
  DevHooks hooks{[&session, &options]() { return load_app(session, options, true, true); },
                 [](const App& invalid) { return error_lines(json::parse(invalid.errors())); }};
  co_return co_await dev_command(context, std::move(hooks));
}

std::pair<std::string, std::string> key_value(const std::string& text, const char* option) {
  size_t equals = text.find('=');
  if (equals == std::string::npos || equals == 0)
    throw CLI::ValidationError(option, fmt::format("expected KEY=VALUE, got \"{}\"", text));
  return {text.substr(0, equals), text.substr(equals + 1)};
}

struct Parsed {
  Options options;
  std::vector<std::string> parameters, attributes;
};

// The parser: every command and option, with their help texts.
void define(CLI::App& cli, Parsed& parsed) {
  Options& o = parsed.options;
  cli.set_version_flag("--version", std::string("pareto ") + version());
  cli.require_subcommand(1);
  auto command = [&](const char* name, const char* help) {
    CLI::App* sub = cli.add_subcommand(name, help);
    sub->add_option("APP", o.app_path, "a pareto.yaml, or the folder holding one")->required();
    sub->add_option("--kinds", o.kinds,
                    "a Python or JavaScript file of custom component kinds to load the app with "
                    "(besides the modules its \"kinds\" key names); repeatable");
    return sub;
  };
  auto stage_option = [&](CLI::App* sub) {
    sub->add_option("--stage", o.stage,
                    "The stage whose settings (the stages key) apply (default: dev)");
  };
  CLI::App* validate = command("validate", "Check an app description; print every error");
  validate->add_flag("--json", o.json, "Print the errors as a JSON array on stdout ([] if none)");
  stage_option(validate);
  CLI::App* synth = command("synth", "Print (or write) the CloudFormation template");
  synth->add_option("-o,--output", o.output, "Write to FILE instead of stdout");
  auto reach = [&](CLI::App* sub) {
    sub->add_option("--profile", o.profile, "The AWS profile to use");
    sub->add_option("--region", o.region, "The AWS region to use");
    sub->add_flag("--local", o.local, "Use moto's server on 127.0.0.1, started for this run");
    sub->add_option("--endpoint-url", o.endpoint_url,
                    "Use the AWS emulator at URL (default: $PARETO_ENDPOINT_URL)");
  };
  synth->add_option("--stage", o.stage,
                    "The stage's template: its settings (the stages key) applied, and nested "
                    "stacks placed as a deploy to it would place them (which reaches AWS)")
      ->each([&](const std::string&) { o.synth_deployed = true; });
  reach(synth);
  CLI::App* graph = command("graph", "Draw the app: components and how they connect");
  graph->add_option("--format", o.format, "mermaid (default) or dot (Graphviz)")
      ->check(CLI::IsMember({"mermaid", "dot"}));
  graph->add_option("-o,--output", o.output, "Write to FILE instead of stdout");
  stage_option(graph);
  CLI::App* budget = command("budget", "Every AWS quota the app uses, with the config entry "
                                       "that costs it, least headroom first");
  budget->add_flag("--json", o.json, "Print them as a JSON array");
  stage_option(budget);
  CLI::App* test = command("test", "Run each action's unit tests beside its handler");
  test->add_flag("-v,--verbose", o.verbose, "Show the output of passing tests too");
  stage_option(test);
  CLI::App* package = command("package", "Write each function's and builder's deterministic "
                                          "archive, dependencies installed for Lambda");
  package->add_option("-o,--output", o.output,
                      "The folder to write them in, as actions/NAME.zip and builders/NAME.zip "
                      "(default: .pareto/package in the app's folder)");
  package->add_option("--parameter", parsed.parameters,
                      "A template parameter the dependencies are built for (RuntimeVersion=3.13)");
  stage_option(package);
  CLI::App* match = cli.add_subcommand(
      "match", "Does an EventBridge pattern match an event? (exit 0: yes, 1: no, 2: error)");
  match->add_option("PATTERN_EVENT", o.match,
                    "PATTERN EVENT, or EVENT with --rules; each inline JSON, a file, or -")
      ->required()->expected(1, 2);
  match->add_option("--rules", o.rules, "Match against the event rules of this app");
  match->add_option("--stage", o.stage, "The stage the app's rules are deployed to (default dev)");

  struct AwsCommandHelp {
    const char* name;
    const char* help;
  };
  for (auto [name, help] : std::initializer_list<AwsCommandHelp>{
           {"diff", "Show what a deploy would change, changing nothing"},
           {"deploy", "Deploy the stack <app>-<stage> and print its outputs"},
           {"outputs", "Print the stack's outputs"},
           {"destroy", "Delete the stack; retained tables, buckets, user pools and secrets stay"},
           {"stacks", "The app's stacks (every stage) and their status"},
           {"resources", "The stack's resources: logical id, type, physical id, status"},
           {"events", "The stack's events, nested stacks included"},
           {"logs", "An action's log events, newest last"},
           {"invoke", "Invoke an action's function; print its result and log tail"},
           {"users", "List, create, delete or log in the users of a user pool"},
           {"artifacts", "The app's code archives and templates in the artifacts bucket"},
           {"watch", "Deploy, then deploy every saved change: hot swaps when only code "
                     "changed, change sets otherwise"},
           {"dev", "Run the app on this machine: deployed to the emulator, its APIs served, "
                   "its handlers run here for every trigger, until Ctrl-C"}}) {
    std::string_view n = name;
    CLI::App* sub = command(name, help);
    sub->add_option("--stage", o.stage, "Lower-case letters and digits (default: dev)");
    reach(sub);
    sub->add_flag("--keep-local", o.keep_local, "Leave the server --local started running");
    if (n == "dev") {
      sub->add_option("--port", o.port, "The first API's port on 127.0.0.1 (the next API's is one "
                                        "more; default: free ones)")->check(CLI::Range(0, 65535));
      sub->add_option("--now", o.now, "Fire this timer once at start; repeatable");
      sub->add_option("--parameter", parsed.parameters, "KEY=VALUE: a template parameter, e.g. a layer ARN");
    }
    if (n == "diff" || n == "deploy" || n == "watch") {
      sub->add_option("--parameter", parsed.parameters, "KEY=VALUE: a template parameter, e.g. a layer ARN");
      sub->add_flag("--allow-replace", o.allow_replace,
                    "Allow replacing tables, buckets, queues, user pools and secrets");
      if (n == "deploy")
        sub->add_flag("--hotswap", o.hotswap,
                      "When only functions' code changed, update it directly (seconds, no change "
                      "set); anything else deploys as usual");
      sub->add_flag("--allow-delete", o.allow_delete,
                    "Allow removing tables, buckets, queues, user pools and secrets from the "
                    "stack (retained ones stay in the account, with their data), and turning on "
                    "expiry that deletes what they hold (time to live, lifecycle rules)");
      sub->add_flag("--allow-drift", o.allow_drift,
                    "Allow changing resources that were changed outside pareto since the last "
                    "deploy (drift)");
      sub->add_flag("--no-drift-check", o.no_drift_check,
                    "Skip drift detection (on AWS it takes seconds to a minute per stack)");
    }
    if (n == "diff" || n == "deploy" || n == "watch" || n == "destroy")
      sub->add_flag("--no-wait", o.no_wait,
                    "Refuse, instead of waiting, while another deploy or destroy runs on the stack");
    if (n == "destroy")
      sub->add_flag("--delete-data", o.delete_data,
                    "Also delete the retained tables, buckets, user pools and secrets, with "
                    "their data (asks first, unless --yes)");
    if (n == "deploy" || n == "destroy") sub->add_flag("-y,--yes", o.yes, "Do not ask for confirmation");
    if (n == "deploy" || n == "outputs")
      sub->add_option("--outputs-file", o.outputs_file, "Also write the outputs as JSON to FILE");
    if (n == "outputs") sub->add_flag("--json", o.json, "Print the outputs as JSON");
    if (n == "events") sub->add_flag("--failed", o.failed, "Only the failures, with their reasons");
    if (n == "logs" || n == "invoke") sub->add_option("ACTION", o.action, "The action's name")->required();
    if (n == "logs") {
      sub->add_option("--since", o.since, "How far back: 30s, 10m, 2h, 1d (default 10m)");
      sub->add_option("--filter", o.filter, "A CloudWatch Logs filter pattern");
      sub->add_flag("--follow", o.follow, "Keep tailing until interrupted");
    }
    if (n == "invoke") sub->add_option("--payload", o.payload, "JSON|@FILE: the event (default {})");
    if (n == "users") {
      sub->add_option("OPERATION", o.operation, "list, create, delete or login")
          ->required()->check(CLI::IsMember({"list", "create", "delete", "login"}));
      sub->add_option("POOL", o.pool, "The user pool's name")->required();
      sub->add_option("USER", o.user, "The user name (not for list)");
      sub->add_option("--password", o.password, "For create and login (default: $PARETO_PASSWORD, or asked)");
      sub->add_option("--attribute", parsed.attributes, "NAME=VALUE: a user attribute for create");
    }
    if (n == "artifacts") {
      sub->add_option("OPERATION", o.operation, "list, fetch or clean")
          ->required()->check(CLI::IsMember({"list", "fetch", "clean"}));
      sub->add_option("KEY", o.key, "The artifact to fetch");
      sub->add_option("-o,--output", o.output, "Where fetch writes it");
      sub->add_option("--keep", o.keep, "Clean keeps the newest N of each function, builder and the templates (default 3)")
          ->check(CLI::NonNegativeNumber);
    }
  }
}

Task<int> dispatch(Session& session, const Options& options) {
  const std::string& c = options.command;
  if (c == "validate") co_return co_await validate(session, options);
  if (c == "synth") co_return co_await synth(session, options);
  if (c == "graph") co_return co_await graph(session, options);
  if (c == "budget") co_return co_await budget(session, options);
  if (c == "package") co_return co_await package(session, options);
  if (c == "match") co_return co_await match(session, options);
  if (c == "test") co_return co_await test(session, options);
  if (c == "watch") co_return co_await watch(session, options);
  if (c == "dev") co_return co_await dev(session, options);
  static const std::map<std::string, AwsCommand, std::less<>> kAws = {
      {"diff", diff_command},           {"deploy", deploy_command},
      {"outputs", outputs_command},     {"destroy", destroy_command},
      {"stacks", stacks_command},       {"resources", resources_command},
      {"events", events_command},       {"logs", logs_command},
      {"invoke", invoke_command},       {"users", users_command},
      {"artifacts", artifacts_command}};
  co_return co_await with_aws(session, options, kAws.at(c));
}

}  // namespace

Task<int> run_command_line(Session& session, std::vector<std::string> argv) {
  CLI::App cli{"pareto: a serverless AWS app described in a few lines, as a CloudFormation stack",
               "pareto"};
  Parsed parsed;
  define(cli, parsed);
  std::ostringstream out, err;
  int exit = -1;
  try {
    std::vector<std::string> reversed(argv.rbegin(), argv.rend());  // CLI11 takes them backwards
    cli.parse(reversed);
    parsed.options.command = cli.get_subcommands().front()->get_name();
    for (const auto& text : parsed.parameters)
      parsed.options.parameters.push_back(key_value(text, "--parameter"));
    for (const auto& text : parsed.attributes)
      parsed.options.attributes.push_back(key_value(text, "--attribute"));
  } catch (const CLI::ParseError& error) {
    exit = cli.exit(error, out, err) == 0 ? 0 : kExitUsage;
  }
  if (exit >= 0) {
    co_await session.out(out.str());
    co_await session.err(err.str());
    co_return exit;
  }
  co_return co_await dispatch(session, parsed.options);
}

}  // namespace pareto::engine
