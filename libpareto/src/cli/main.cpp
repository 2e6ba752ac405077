// The native pareto command: validate, synth, graph and match, over the C++ API like any embedder.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include "pareto/pareto.hpp"

namespace {

constexpr int kInvalid = 1;
constexpr int kUsage = 2;

// One "file:line:column: path: message [check]" line per error on stderr.
void print_errors(const std::string& errors_json) {
  for (const auto& e : nlohmann::json::parse(errors_json)) {
    std::string where = e["file"].get<std::string>();
    if (e["line"].get<int>() > 0) where += fmt::format(":{}:{}", e["line"].get<int>(), e["column"].get<int>());
    std::string path = e["path"].get<std::string>();
    fmt::print(stderr, "{}: {}: {} [{}]\n", where, path.empty() ? "/" : path,
               e["message"].get<std::string>(), e["check"].get<std::string>());
  }
}

// Writes next to the target and renames: a failed run never leaves half a template.
bool write_atomically(const std::string& path, const std::string& text) {
  std::string partial = path + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    if (!(out << text) || !out.flush()) return false;
  }
  std::error_code ec;
  std::filesystem::rename(partial, path, ec);
  if (ec) std::filesystem::remove(partial, ec);
  return !ec;
}

struct Options {
  std::string command;  // validate, synth, graph, budget or match
  std::string app_path;
  std::string output;   // "" or "-": stdout
  std::string format = "mermaid";
  bool json = false;
  std::vector<std::string> match;  // PATTERN EVENT, or EVENT with --rules
  std::string stage = "dev";
};

// template.json → template.Stack01.json
std::string nested_path(const std::string& output, const std::string& name) {
  std::filesystem::path path(output);
  return (path.parent_path() / (path.stem().string() + "." + name + path.extension().string()))
      .string();
}

int emit(const std::string& text, const std::string& output) {
  if (output.empty() || output == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }
  if (!write_atomically(output, text)) {
    fmt::print(stderr, "pareto: cannot write {}\n", output);
    return kInvalid;
  }
  return 0;
}

// The template, and beside it (FILE.json → FILE.Stack01.json) each nested stack's.
int emit_stacks(const pareto::App& app, const std::string& output) {
  auto nested = nlohmann::json::parse(app.nested_stacks());
  bool to_stdout = output.empty() || output == "-";
  if (!nested.empty() && to_stdout)
    fmt::print(stderr, "pareto: the app needs {} nested stacks; -o FILE writes their templates "
                       "beside FILE\n", nested.size());
  if (!to_stdout)
    for (const auto& stack : nested)
      if (int status = emit(stack["template"], nested_path(output, stack["name"]))) return status;
  return emit(app.synth(), output);
}

// JSON given inline ({...}), as a file path, or as "-" for standard input.
std::string json_argument(const std::string& argument) {
  size_t first = argument.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && (argument[first] == '{' || argument[first] == '[')) return argument;
  std::ostringstream text;
  if (argument == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream in(argument, std::ios::binary);
    if (!in) throw CLI::ValidationError(argument, "no such file, and not inline JSON");
    text << in.rdbuf();
  }
  return text.str();
}

// Exit 0 when the event matches (a rule fires), 1 when not, 2 on a bad pattern or event.
int match(const Options& options) {
  std::string rules_json, event = json_argument(options.match.back());
  if (options.app_path.empty()) {
    if (options.match.size() != 2)
      throw CLI::ValidationError("match", "give PATTERN and EVENT, or --rules APP and EVENT");
    rules_json = "{\"pattern\": " + json_argument(options.match.front()) + "}";
  } else {
    if (options.match.size() != 1) throw CLI::ValidationError("match", "with --rules, give only EVENT");
    pareto::App app = pareto::App::from_path(options.app_path);
    if (!app.valid()) {
      print_errors(app.errors());
      return kUsage;
    }
    auto deployed = nlohmann::json::parse(app.rules(options.stage));
    for (const auto& [id, why] : deployed["skipped"].items())
      fmt::print(stderr, "{}: skipped: {}\n", id, why.get<std::string>());
    rules_json = deployed["rules"].dump();
  }
  if (!nlohmann::json::accept(rules_json)) {
    fmt::print(stderr, "pareto: the pattern is not JSON\n");
    return kUsage;
  }
  pareto::Rules rules = pareto::Rules::compile(rules_json);
  for (const auto& e : nlohmann::json::parse(rules.errors())) {
    std::string path = e["path"];
    if (options.app_path.empty()) path = path.substr(std::string("/pattern").size());
    fmt::print(stderr, "pattern: {}: {} [{}]\n", path.empty() ? "/" : path,
               e["message"].get<std::string>(), e["check"].get<std::string>());
  }
  if (!rules.valid()) return kUsage;
  nlohmann::json fired;
  try {
    fired = nlohmann::json::parse(rules.match(event));
  } catch (const pareto::Error&) {
    fmt::print(stderr, "pareto: the event is not JSON\n");
    return kUsage;
  }
  if (options.app_path.empty())
    fmt::print("{}\n", fired.empty() ? "no match" : "match");
  else if (fired.empty())
    fmt::print("no rule matches\n");
  else
    for (const auto& name : fired) fmt::print("{}\n", name.get<std::string>());
  return fired.empty() ? kInvalid : 0;
}

int run(const Options& options) {
  if (options.command == "match") return match(options);
  pareto::App app = [&] {
    try {
      return pareto::App::from_path(options.app_path);
    } catch (const pareto::Error& e) {
      if (e.status() == PARETO_EIO)
        throw CLI::ValidationError(
            "APP",
            fmt::format("{}: no such file, or no pareto.yaml in that folder", options.app_path));
      throw;
    }
  }();
  if (options.command == "validate" && options.json) {
    fmt::print("{}\n", nlohmann::json::parse(app.errors()).dump(2));
    return app.valid() ? 0 : kInvalid;
  }
  if (!app.valid()) {
    if (auto modules = nlohmann::json::parse(app.kind_modules()); !modules.empty())
      fmt::print(stderr,
                 "pareto: {} names custom kind modules ({}): this native command runs no Python "
                 "or JavaScript to load them; use the pareto command of the Python or Node "
                 "package\n",
                 options.app_path, fmt::join(modules.get<std::vector<std::string>>(), ", "));
    print_errors(app.errors());
    return kInvalid;
  }
  if (options.command == "validate") {
    fmt::print(stderr, "{}: valid\n", app.name());
    return 0;
  }
  if (options.command == "graph") return emit(app.graph(options.format), options.output);
  if (options.command == "budget") {
    if (!options.json) return emit(app.budget("text"), "");
    return emit(nlohmann::json::parse(app.budget("json")).dump(2) + "\n", "");
  }
  return emit_stacks(app, options.output);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"pareto: a serverless AWS app described in a few lines, as a CloudFormation stack"};
  cli.set_version_flag("--version", pareto::version());
  cli.require_subcommand(1);
  Options options;
  auto* validate = cli.add_subcommand("validate", "Check an app description; print every error");
  validate->add_flag("--json", options.json, "Print the errors as a JSON array on stdout ([] if none)");
  auto* synth = cli.add_subcommand("synth", "Print (or write) the CloudFormation template");
  auto* graph = cli.add_subcommand("graph", "Draw the app: components and how they connect");
  auto* budget = cli.add_subcommand(
      "budget", "Every AWS quota the app uses, with the config entry that costs it, least headroom first");
  budget->add_flag("--json", options.json, "Print them as a JSON array");
  graph->add_option("--format", options.format, "mermaid (default) or dot (Graphviz)")
      ->check(CLI::IsMember({"mermaid", "dot"}));
  for (auto* command : {validate, synth, graph, budget})
    command->add_option("APP", options.app_path, "pareto.yaml, or the folder holding it")->required();
  for (auto* command : {synth, graph})
    command->add_option("-o,--output", options.output, "Write to FILE instead of stdout");
  auto* match = cli.add_subcommand(
      "match", "Does an EventBridge pattern match an event? (exit 0: yes, 1: no, 2: error)");
  match->add_option("PATTERN_EVENT", options.match,
                    "PATTERN EVENT, or EVENT with --rules; each inline JSON, a file, or -")
      ->required()->expected(1, 2);
  match->add_option("--rules", options.app_path,
                    "Match against the event rules of this app (pareto.yaml or its folder)");
  match->add_option("--stage", options.stage, "The stage the app's rules are deployed to (default dev)");
  try {
    cli.parse(argc, argv);
    options.command = cli.get_subcommands().front()->get_name();
    return run(options);
  } catch (const CLI::ParseError& e) {
    int code = cli.exit(e);
    return code == 0 ? 0 : kUsage;
  } catch (const std::exception& e) {
    fmt::print(stderr, "pareto: {}\n", e.what());
    return kUsage;
  }
}
