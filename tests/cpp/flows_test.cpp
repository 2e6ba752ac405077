// The engine's transcript vectors: every tests/vectors/flows/<case>/transcript.json replayed
// through the C API with a host that answers each step from the recording. The steps must be
// the recorded ones, in order, and the output and exit status the recorded ones, byte for byte.
// The Python and Node suites replay the same files through their hosts.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "pareto/pareto.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const fs::path kFlows = fs::path(PARETO_SOURCE_DIR) / "tests" / "vectors" / "flows";

std::vector<fs::path> cases() {
  std::vector<fs::path> found;
  if (!fs::exists(kFlows)) return found;
  for (const auto& entry : fs::directory_iterator(kFlows))
    if (fs::exists(entry.path() / "transcript.json")) found.push_back(entry.path());
  std::sort(found.begin(), found.end());
  return found;
}

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Replayed {
  std::string stdout_text, stderr_text;
  int exit = -1;
};

// Runs the case's request, answering from its steps; a step the recording does not expect
// fails the test (and ends the replay).
Replayed replay(const json& transcript) {
  Replayed out;
  std::string request = transcript["request"].dump();
  pareto_flow* raw = nullptr;
  EXPECT_EQ(pareto_flow_start(&raw, request.data(), request.size()), PARETO_OK);
  std::unique_ptr<pareto_flow, void (*)(pareto_flow*)> flow(raw, pareto_flow_free);
  std::optional<pareto::App> app;
  const json& steps = transcript["steps"];
  size_t next = 0;
  std::string answer = "null";
  for (;;) {
    char* text = nullptr;
    EXPECT_EQ(pareto_flow_next(flow.get(), answer.data(), answer.size(), &text), PARETO_OK);
    json step = json::parse(text);
    pareto_free(text);
    if (step["step"] == "done") {
      out.exit = step["exit"];
      EXPECT_EQ(next, steps.size()) << "the flow ended before the recording";
      return out;
    }
    if (step["step"] == "write") {
      (step["stream"] == "stdout" ? out.stdout_text : out.stderr_text) += step["text"].get<std::string>();
      answer = "null";
      continue;
    }
    if (next >= steps.size()) {
      ADD_FAILURE() << "a step past the recording: " << step.dump();
      return out;
    }
    const json& expected = steps[next++];
    if (step != expected["step"]) {
      ADD_FAILURE() << "step " << next << " differs\n  recorded: " << expected["step"].dump()
                    << "\n  made:     " << step.dump();
      return out;
    }
    if (step["step"] == "load") {  // the host's own part: loading the app
      app = pareto::App::from_path(step["path"]);
      EXPECT_EQ(pareto_flow_lend_app(flow.get(), app->get()), PARETO_OK);
    }
    if (step["step"] == "upload") {
      char* data = nullptr;
      size_t size = 0;
      EXPECT_EQ(pareto_flow_blob(flow.get(), &data, &size), PARETO_OK);
      EXPECT_EQ(size, step["bytes"].get<size_t>());
      pareto_free(data);
    }
    answer = expected["answer"].dump();
  }
}

class Flow : public testing::TestWithParam<fs::path> {};

TEST_P(Flow, ReplaysTheRecording) {
  const fs::path dir = GetParam();
  json transcript = json::parse(read(dir / "transcript.json"));
  Replayed replayed = replay(transcript);
  EXPECT_EQ(replayed.exit, transcript["exit"].get<int>());
  EXPECT_EQ(replayed.stdout_text, read(dir / "stdout"));
  EXPECT_EQ(replayed.stderr_text, read(dir / "stderr"));
}

INSTANTIATE_TEST_SUITE_P(Flows, Flow, testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<fs::path>& info) {
                           std::string name = info.param.filename().string();
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Flow);

}  // namespace
