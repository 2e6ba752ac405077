// pareto dev (engine/dev.cpp): the app running on this machine, handlers and triggers included.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "engine/command.hpp"

namespace pareto::engine {

// What dev needs of the command line: the app loaded again from its files as they are now, and
// an invalid app's errors as lines.
struct DevHooks {
  std::function<Task<std::optional<App>>()> reload;
  std::function<std::string(const App&)> errors;
};

// Deploys the app to the emulator the context reaches, then serves it until interrupted.
Task<int> dev_command(Context& context, DevHooks hooks);

}  // namespace pareto::engine
