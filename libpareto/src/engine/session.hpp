// The engine's side of a flow: the steps a host performs (AWS calls, waits, output, questions,
// uploads, processes), and the policy every call shares (retries with backoff and jitter).
// Nothing here touches the network, a clock or a terminal: the host answers each step.
#pragma once

#include <cstdint>
#include <coroutine>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/task.hpp"

struct pareto_app;

namespace pareto::engine {
using nlohmann::json;

// What the host was asked to do; `blob` carries an upload's bytes.
struct Step {
  json data;  // {"step": "call" | "wait" | "write" | "ask" | "upload" | "run" | "emulator" |
              //  "connect" | "load" | "done", ...}
  std::string blob;
};

// A failed AWS call, as every host reports it: {code, message, status}.
struct AwsError : std::runtime_error {
  std::string code;
  int status = 0;
  AwsError(std::string code_, const std::string& message, int status_)
      : std::runtime_error(message), code(std::move(code_)), status(status_) {}
  bool missing() const;  // "does not exist", NoSuchBucket, ResourceNotFoundException, 404
  std::string said() const { return code + ": " + what(); }  // "Throttling: Rate exceeded"
};

// The end of a command that did not succeed: its message goes to stderr, `exit` is the status.
struct Stop : std::runtime_error {
  int exit;
  explicit Stop(const std::string& message, int exit_ = 1)
      : std::runtime_error(message), exit(exit_) {}
};

inline constexpr int kExitInterrupted = 130;

// The user pressed Ctrl-C: the host answered the step it was performing {"interrupted": true}.
struct Interrupted : Stop {
  Interrupted() : Stop("interrupted", kExitInterrupted) {}
};

// How the host runs the flow (pareto_flow_start's request): a terminal or not, the time, the
// jitter's seed, whether it can reach AWS at all.
struct HostFacts {
  bool interactive = false;    // stdin is a terminal: deploy and destroy ask before changing
  bool aws = false;            // the host performs "call" steps (the native command does not)
  bool colour = false;         // stderr takes ANSI colours: pareto dev colours each action
  std::string host = "native"; // "native" | "python" | "node": named in messages only
  int64_t now_ms = 0;          // the host's clock when the flow started (epoch milliseconds)
  uint64_t seed = 0;           // the retry jitter's seed: random from a host, fixed in tests
};

class Session {
 public:
  explicit Session(HostFacts facts) : facts_(std::move(facts)), random_(facts_.seed) {}

  const HostFacts& facts() const { return facts_; }
  // The host's clock as the flow sees it: the start time plus every wait so far.
  int64_t now_ms() const { return facts_.now_ms + waited_ms_; }

  // An AWS call, retried on throttling, 5xx and dropped connections (at most kAttempts, full
  // jitter over an exponential backoff); throws AwsError with the last answer otherwise (its
  // message saying how many attempts were made when retries ran out).
  // GCC 12 mishandles temporaries around a suspension: it cannot compile a braced list inside a
  // co_await expression ("array used as initializer"), and frees temporaries of an enclosing
  // full-expression wrongly. So in flows a co_await stands alone — a statement, the initializer
  // of a named variable, or a co_return — with its arguments named first (or the one-member form
  // below), and ranges of loops are named variables.
  Task<json> call(std::string service, std::string operation, json params = json::object());
  Task<json> call(std::string service, std::string operation, std::string member, json value);
  // Every page of a paginated call, concatenated: `items` names the list in each answer,
  // `token` the field that carries the next page's token in the answer and the request.
  Task<json> paginate(std::string service, std::string operation, json params, std::string items,
                      std::string token = "NextToken", std::string request_token = "");
  Task<void> wait(int64_t milliseconds);
  Task<void> out(std::string text);  // stdout: the command's answer
  Task<void> err(std::string text);  // stderr: progress, notes, errors
  Task<void> write(std::string stream, std::string text);
  Task<json> ask(std::string question, bool secret = false);  // yes/no: a bool; secret: text
  Task<json> upload(std::string bucket, std::string key, std::string bytes);
  // A process the host runs (pareto test): {"exit": n, "output": text}.
  Task<json> run(std::vector<std::string> argv, std::string cwd, json env);
  // Any other step, answered as the host answers it.
  Task<json> perform(json step, std::string blob = {});

  // What the host lends the flow: the app it loaded for a "load" step (borrowed until done).
  void lend_app(const pareto_app* app) { lent_app_ = app; }
  const pareto_app* lent_app() const { return lent_app_; }
  // What a library call returns besides the exit status (deploy: the outputs).
  json& result() { return result_; }
  // Where things stand if the command stops now, interrupted or out of retries: what AWS goes
  // on doing without pareto, and how to pick up ("" when a stop leaves nothing behind).
  void standing(std::string note) { standing_ = std::move(note); }
  const std::string& standing() const { return standing_; }

  // The flow's driver (pareto_flow_next) reads the step the flow waits on and gives the answer.
  const Step& pending() const { return pending_; }
  void answer(json answer) { answer_ = std::move(answer); }
  void resume() { resume_point_.resume(); }

  static constexpr int kAttempts = 6;

 private:
  struct Yield {
    Session& session;
    Step step;
    bool output;  // a write: known before the step moves to the session
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> awaiting) {
      session.pending_ = std::move(step);
      session.resume_point_ = awaiting;
    }
    // A step the user interrupted ends the flow, unless it was output: that interrupt is
    // kept for the next step that is not.
    json await_resume() {
      if (session.answer_.is_object() && session.answer_.value("interrupted", false)) {
        if (!output) throw Interrupted();
        session.interrupted_ = true;
      }
      return std::move(session.answer_);
    }
  };
  Yield yield(json step, std::string blob = {}) {
    const bool output = step.value("step", "") == "write";
    if (interrupted_ && !output) {
      interrupted_ = false;
      throw Interrupted();
    }
    return {*this, {std::move(step), std::move(blob)}, output};
  }
  static bool retryable(const AwsError& error);
  // A call or an upload, retried as `call` says; `what` names it in the retry notes.
  Task<json> attempt(std::string what, json step, std::string blob = {});

  HostFacts facts_;
  std::mt19937_64 random_;
  int64_t waited_ms_ = 0;
  Step pending_;
  json answer_;
  std::coroutine_handle<> resume_point_;
  const pareto_app* lent_app_ = nullptr;
  json result_;
  std::string standing_;
  bool interrupted_ = false;  // an interrupt answered to output, not acted on yet
};

// An answer of a "call" step as an AwsError, if it is one.
AwsError to_error(const json& error);

}  // namespace pareto::engine
