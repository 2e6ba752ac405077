// A running command: the session and its root coroutine, advanced one step at a time by the
// host (pareto_flow_next). The last step is {"step": "done", "exit": n, "result": ...}.
#pragma once

#include <functional>
#include <memory>

#include "engine/command.hpp"

namespace pareto::engine {

class Flow {
 public:
  // `start` makes the root coroutine from the session; it runs at the first next().
  Flow(HostFacts facts, std::function<Task<int>(Session&)> start);
  // The command line: argv without the program's name.
  static std::unique_ptr<Flow> command_line(HostFacts facts, std::vector<std::string> argv);

  // The next step, after giving the answer to the one before (ignored for the first).
  const Step& next(json answer);
  bool done() const { return done_; }
  Session& session() { return session_; }

 private:
  Session session_;
  Task<int> root_;
  bool started_ = false;
  bool done_ = false;
  Step done_step_;
};

}  // namespace pareto::engine
