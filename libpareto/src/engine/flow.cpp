#include "engine/flow.hpp"

#include <fmt/format.h>

namespace pareto::engine {

namespace {
// The root of every flow: a Stop's message on stderr and its status; an unexpected AWS error
// or an interrupt the same way, with where it left things, so that no answer of a host ends a
// flow without its reason.
Task<int> guarded(Session& session, std::function<Task<int>(Session&)> start) {
  std::string message;
  int exit = 0;
  bool standing = false;  // a stop the flow did not choose: say where things were left
  try {
    co_return co_await start(session);
  } catch (const Interrupted& interrupted) {
    message = interrupted.what();
    exit = interrupted.exit;
    standing = true;
  } catch (const Stop& stop) {
    message = stop.what();
    exit = stop.exit;
  } catch (const AwsError& error) {
    message = error.said();
    exit = kExitFailed;
    standing = true;
  } catch (const std::exception& error) {  // a flow's bug: said, never a crash of the host
    message = fmt::format("internal error: {}", error.what());
    exit = kExitInternal;
  }
  if (standing && !session.standing().empty()) message += "\n" + session.standing();
  co_await session.err(fmt::format("pareto: {}\n", message));
  session.result() = {{"error", message}};  // what a library call raises
  co_return exit;
}
}  // namespace

Flow::Flow(HostFacts facts, std::function<Task<int>(Session&)> start)
    : session_(std::move(facts)), root_(guarded(session_, std::move(start))) {}

std::unique_ptr<Flow> Flow::command_line(HostFacts facts, std::vector<std::string> argv) {
  return std::make_unique<Flow>(std::move(facts), [argv = std::move(argv)](Session& session) {
    return run_command_line(session, argv);
  });
}

const Step& Flow::next(json answer) {
  if (done_) return done_step_;
  if (!started_) {
    started_ = true;
    root_.resume();
  } else {
    session_.answer(std::move(answer));
    session_.resume();
  }
  if (!root_.done()) return session_.pending();
  done_ = true;
  int exit = root_.result();
  done_step_.data = {{"step", "done"}, {"exit", exit}, {"result", session_.result()}};
  return done_step_;
}

}  // namespace pareto::engine
