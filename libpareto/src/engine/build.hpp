// The app's archives, one per action and builder, with each function's dependencies installed for
// Lambda's platform. The core plans every install (the installer's arguments, the cache, the
// errors); the host names its installer (a "tool" step) and runs it (a "run" step).
#pragma once

#include <string>
#include <vector>

#include "engine/session.hpp"
#include "pareto/pareto.hpp"

namespace pareto::engine {

struct Built {
  std::string name;  // "actions/hello-get"
  std::string key;   // its S3 key, resolved for the runtime versions it is built for
  std::string data;  // the zip
  std::string dependencies;  // the folder its dependencies are installed in ("" when none)
};

// The template parameters' values a stack gets: their defaults, then `given` (--parameter).
json parameter_values(const json& templ, const std::vector<std::pair<std::string, std::string>>& given);

// An S3Key as the template gives it, a string or {"Fn::Sub"} over `parameters`, resolved.
std::string resolve_key(const json& key, const json& parameters);

// A handler's imports resolve as in Lambda, whose archive root holds each shared folder by its
// name: PYTHONPATH or NODE_PATH in `env` gets `first`, then the parent of each of the function's
// (pareto_app_functions) shared folders, then the variable's own value in this process.
void add_import_path(json& env, const std::string& base_dir, const json& function,
                     std::vector<std::string> first);

// Every archive of the app, dependencies installed (or taken from the build cache).
Task<std::vector<Built>> build_code(Session& session, const App& app, json parameters);

}  // namespace pareto::engine
