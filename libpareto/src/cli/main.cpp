// The native pareto command: the core's command line with a host that performs no AWS calls, so
// that every command needing none (validate, synth, graph, budget, match, package, test) runs
// here with the same bytes as from Python and Node.
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "pareto/pareto.hpp"

extern char** environ;

namespace {
using nlohmann::json;

// A process with its output (stdout and stderr together) captured: pareto test's runners.
json run(const json& step) {
  std::vector<std::string> argv = step["argv"];
  if (argv.empty()) return {{"exit", 127}, {"output", "nothing to run"}};
  if (argv[0] == "python") argv[0] = "python3";
  int pipe_ends[2];
  if (pipe(pipe_ends) != 0) return {{"exit", 127}, {"output", "cannot make a pipe"}};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_ends[1], 1);
  posix_spawn_file_actions_adddup2(&actions, pipe_ends[1], 2);
  posix_spawn_file_actions_addclose(&actions, pipe_ends[0]);
  std::string cwd = step.value("cwd", ".");
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    if (!step["env"].contains(entry.substr(0, entry.find('=')))) env.push_back(entry);
  }
  for (const auto& [name, value] : step["env"].items()) env.push_back(name + "=" + value.get<std::string>());
  std::vector<char*> args, envp;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string previous = std::filesystem::current_path().string();
  std::filesystem::current_path(cwd);  // posix_spawn_file_actions_addchdir_np is glibc 2.29+
  pid_t pid = 0;
  int failed = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  std::filesystem::current_path(previous);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_ends[1]);
  std::string output;
  char buffer[4096];
  for (ssize_t n; (n = read(pipe_ends[0], buffer, sizeof buffer)) > 0;) output.append(buffer, n);
  close(pipe_ends[0]);
  if (failed) return {{"exit", 127}, {"output", fmt::format("cannot run {}", argv[0])}};
  int status = 0;
  waitpid(pid, &status, 0);
  return {{"exit", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)},
          {"output", output}};
}

}  // namespace

int main(int argc, char** argv) {
  json request = {{"argv", std::vector<std::string>(argv + 1, argv + argc)},
                  {"host", "native"},
                  {"aws", false},
                  {"interactive", isatty(0) == 1},
                  {"now_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch()).count()}};
  std::string text = request.dump();
  pareto_flow* raw = nullptr;
  if (pareto_flow_start(&raw, text.data(), text.size()) != PARETO_OK) return 70;
  std::unique_ptr<pareto_flow, void (*)(pareto_flow*)> flow(raw, pareto_flow_free);
  std::optional<pareto::App> app;
  std::string answer;
  for (bool first = true;; first = false) {
    char* out = nullptr;
    if (pareto_flow_next(flow.get(), first ? nullptr : answer.data(), answer.size(), &out) != PARETO_OK)
      return 70;
    json step = json::parse(out);
    pareto_free(out);
    std::string kind = step["step"];
    json reply;
    if (kind == "done") return step["exit"].get<int>();
    if (kind == "write") {
      std::string chunk = step["text"];
      std::fwrite(chunk.data(), 1, chunk.size(), step["stream"] == "stdout" ? stdout : stderr);
      std::fflush(step["stream"] == "stdout" ? stdout : stderr);
    } else if (kind == "wait") {
      std::this_thread::sleep_for(std::chrono::milliseconds(step["milliseconds"].get<int64_t>()));
    } else if (kind == "ask") {
      std::fprintf(stderr, "%s [y/n] ", step["question"].get<std::string>().c_str());
      std::string line;
      std::getline(std::cin, line);
      reply = step.value("secret", false) ? json(line) : json(line == "y" || line == "yes");
    } else if (kind == "load") {
      if (!step["kinds"].empty()) {
        reply = {{"error", {{"message", "--kinds needs the pareto command of the Python or Node "
                                         "package: this native command runs no Python or JavaScript"}}}};
      } else {
        try {
          app = pareto::App::from_path(step["path"], nullptr, step.value("stage", ""));
          pareto_flow_lend_app(flow.get(), app->get());
          reply = {{"loaded", true}};
        } catch (const pareto::Error& e) {
          std::string why = e.status() == PARETO_EIO
                                ? "no such file, or no pareto.yaml in that folder"
                                : e.what();
          reply = {{"error",
                    {{"message", fmt::format("{}: {}", step["path"].get<std::string>(), why)}}}};
        }
      }
    } else if (kind == "tool") {
      reply = nullptr;  // the core runs the installer's --version
    } else if (kind == "run") {
      reply = run(step);
    } else {
      reply = {{"error", {{"code", "Unsupported"}, {"message", "the native command reaches no AWS"}}}};
    }
    answer = reply.dump();
  }
}
