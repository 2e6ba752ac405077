// The one command line: every command, from every host, parsed and run here.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/session.hpp"
#include "engine/stack.hpp"
#include "pareto/pareto.hpp"

namespace pareto::engine {

inline constexpr int kExitFailed = 1;  // the description has errors, or AWS said no
inline constexpr int kExitUsage = 2;   // the command line is wrong
inline constexpr int kExitInternal = 70;  // a bug of pareto's (EX_SOFTWARE)

// Every option of every command, as parsed; each command reads its own.
struct Options {
  std::string command;
  std::string app_path;
  std::vector<std::string> kinds;  // --kinds MODULE (Python or Node files of custom kinds)
  // synth, graph, package, artifacts fetch
  std::string output;
  std::string format = "mermaid";
  bool json = false;     // validate, budget, outputs
  bool verbose = false;  // test
  std::vector<std::string> match;  // PATTERN EVENT, or EVENT with --rules
  std::string rules;
  // the commands that reach AWS
  std::string stage = "dev";
  std::string profile;
  std::string region;
  bool local = false;
  std::string endpoint_url;
  bool keep_local = false;
  std::vector<std::pair<std::string, std::string>> parameters;  // --parameter K=V
  bool allow_replace = false;
  bool allow_delete = false;
  bool allow_drift = false;     // diff, deploy: change what was changed by hand
  bool no_drift_check = false;
  bool no_wait = false;         // refuse while another operation runs on the stack
  bool delete_data = false;  // destroy
  bool synth_deployed = false;  // synth --stage: placed as the deployed stack is
  bool hotswap = false;         // deploy: code-only changes without a change set
  bool yes = false;
  std::string outputs_file;
  bool failed = false;     // events
  std::string action;      // logs, invoke
  std::string since = "10m";
  std::string filter;
  bool follow = false;
  std::string payload = "{}";
  std::string operation;   // users, artifacts
  std::string pool;
  std::string user;
  std::string password;
  std::vector<std::pair<std::string, std::string>> attributes;  // --attribute K=V
  std::string key;
  int keep = 3;
  int port = 0;                  // dev: the first API's port (0: a free one)
  std::vector<std::string> now;  // dev: timers fired at once
};

// What a command that reaches AWS works with: the session, its options, the valid app the host
// loaded, and where its stack is.
struct Context {
  Session& session;
  const Options& options;
  const App& app;
  Target target;
};

// Deploys (engine/deploy.cpp); each returns the exit status.
// The app placed for the deployed stack: what is deployed stays in its stack.
Task<App> placed_for_stack(Context& context);
Task<int> diff_command(Context& context);
Task<int> deploy_command(Context& context);
Task<int> outputs_command(Context& context);
Task<int> destroy_command(Context& context);

// The operating commands (engine/operate.cpp); each returns the exit status.
Task<int> stacks_command(Context& context);
Task<int> resources_command(Context& context);
Task<int> events_command(Context& context);
Task<int> logs_command(Context& context);
Task<int> invoke_command(Context& context);
Task<int> users_command(Context& context);
Task<int> artifacts_command(Context& context);

// Runs argv (without the program's name) to its exit status.
Task<int> run_command_line(Session& session, std::vector<std::string> argv);

}  // namespace pareto::engine
