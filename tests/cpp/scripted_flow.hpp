// A scripted host for the engine's flows: each test lists the AWS answers a host would give,
// call by call, and reads what the command wrote and its exit status.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/command.hpp"
#include "engine/flow.hpp"

namespace pareto::engine::testing_support {

inline constexpr int64_t kNow = 1796117400000;  // 2026-12-01T09:30:00Z
inline constexpr int kNotDone = -1;  // the script ran out while the flow waits (--follow) or calls on

// One AWS call the command must make: its service, operation and the params it must carry
// (null: must not carry), and the host's answer.
struct Exchange {
  std::string service;
  std::string operation;
  json params;
  json answer;
};

inline json ok(json response) { return {{"response", std::move(response)}}; }
inline json fails(std::string code, std::string message, int status = 400) {
  return {{"error", {{"code", code}, {"message", message}, {"status", status}}}};
}

struct Outcome {
  int exit = kNotDone;
  std::string out;
  std::string err;
  std::vector<int64_t> waits;
  std::vector<json> questions;
};

inline Task<int> start(Session& session, const Options& options, const App& app,
                Task<int> (*command)(Context&)) {
  Context context{session, options, app, Target{"hello", "dev", "hello-dev", "eu-west-1"}};
  co_return co_await command(context);
}

class ScriptedFlow : public ::testing::Test {
 protected:
  void SetUp() override { unsetenv("PARETO_PASSWORD"); }

  // Runs the command against the script: every call must be the next exchange.
  Outcome run(Task<int> (*command)(Context&)) {
    Outcome outcome;
    Flow flow(facts, [&](Session& session) { return start(session, options, app, command); });
    size_t next = 0;
    json answer;
    for (;;) {
      json step = flow.next(std::move(answer)).data;
      answer = json::object();
      std::string kind = step["step"];
      if (kind == "done") {
        outcome.exit = step["exit"];
        break;
      }
      if (kind == "write") {
        (step["stream"] == "stdout" ? outcome.out : outcome.err) += step["text"].get<std::string>();
      } else if (kind == "wait") {
        outcome.waits.push_back(step["milliseconds"]);
        if (next == script.size()) break;
      } else if (kind == "ask") {
        outcome.questions.push_back(step);
        answer = reply;
      } else if (kind == "call" && next == script.size() && open_ended) {
        break;  // the test reads only the start of the command
      } else if (kind == "call" && next < script.size()) {
        const Exchange& expected = script[next++];
        EXPECT_EQ(step["service"], expected.service) << step.dump();
        EXPECT_EQ(step["operation"], expected.operation) << step.dump();
        for (const auto& [key, value] : expected.params.items())
          EXPECT_EQ(step["params"].value(key, json()), value) << key << " in " << step.dump();
        answer = expected.answer;
      } else {
        ADD_FAILURE() << "unexpected step " << step.dump();
        break;
      }
    }
    EXPECT_EQ(next, script.size()) << "calls the command did not make";
    return outcome;
  }

  HostFacts facts{.aws = true, .host = "python", .now_ms = kNow, .seed = 7};
  Options options;
  App app = App::from_path("examples/hello");
  std::vector<Exchange> script;
  json reply;  // the answer to an "ask" step
  bool open_ended = false;  // a call past the script ends the run (exit kNotDone)
};

}  // namespace pareto::engine::testing_support
