// The native pareto command: validate, synth and graph, over the C++ API like any embedding tool.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

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
  std::string command;  // validate, synth or graph
  std::string app_path;
  std::string output;   // "" or "-": stdout
  std::string format = "mermaid";
  bool json = false;
};

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

int run(const Options& options) {
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
    print_errors(app.errors());
    return kInvalid;
  }
  if (options.command == "validate") {
    fmt::print(stderr, "{}: valid\n", app.name());
    return 0;
  }
  return emit(options.command == "graph" ? app.graph(options.format) : app.synth(), options.output);
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
  graph->add_option("--format", options.format, "mermaid (default) or dot (Graphviz)")
      ->check(CLI::IsMember({"mermaid", "dot"}));
  for (auto* command : {validate, synth, graph})
    command->add_option("APP", options.app_path, "pareto.yaml, or the folder holding it")->required();
  for (auto* command : {synth, graph})
    command->add_option("-o,--output", options.output, "Write to FILE instead of stdout");
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
