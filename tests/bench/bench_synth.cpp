// Synthesis cost: the example app, generated apps of growing size (generated_app.hpp), split
// into nested stacks past one stack's quotas, and apps of a custom kind (the example streams
// kind's C++ renderer: a request and a reply through JSON text per entry).
#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>
#include <pareto/pareto.h>

#include <pareto/pareto.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "generated_app.hpp"

namespace examples {
void add_stream_kind(pareto::Kinds& kinds, const std::string& definition_file);
}

namespace {
using pareto::testing_support::generated_app;

std::string example_app() {
  std::ifstream in(PARETO_SOURCE_DIR "/examples/hello/pareto.yaml");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Loads and synthesizes `text` as many times as the benchmark asks; reports the output size.
void run(benchmark::State& state, const std::string& text, const char* base_dir,
         const pareto_kinds* kinds = nullptr) {
  pareto_load_options options = PARETO_LOAD_OPTIONS_INIT;
  options.base_dir = base_dir;
  options.kinds = kinds;
  for (auto _ : state) {
    pareto_app* app = nullptr;
    char* json = nullptr;
    pareto_app_load(&app, text.data(), text.size(), &options);
    pareto_app_synth(app, &json);
    benchmark::DoNotOptimize(json);
    pareto_free(json);
    pareto_app_free(app);
  }
  // What the timed runs produced, measured once outside them: every stack's resources.
  pareto_app* app = nullptr;
  char* json = nullptr;
  char* nested = nullptr;
  pareto_app_load(&app, text.data(), text.size(), &options);
  bool valid = pareto_app_synth(app, &json) == PARETO_OK &&
               pareto_app_nested_stacks(app, &nested) == PARETO_OK;
  double bytes = 0, resources = 0, stacks = 1;
  if (valid) {
    bytes = static_cast<double>(std::char_traits<char>::length(json));
    const auto parent = nlohmann::json::parse(json);
    for (const auto& [_, resource] : parent["Resources"].items())
      resources += resource["Type"] != "AWS::CloudFormation::Stack";
    for (const auto& stack : nlohmann::json::parse(nested)) {
      const std::string& template_json = stack["template"].get_ref<const std::string&>();
      bytes += static_cast<double>(template_json.size());
      resources += static_cast<double>(nlohmann::json::parse(template_json)["Resources"].size());
      stacks += 1;
    }
  }
  state.counters["bytes"] = bytes;
  state.counters["resources"] = resources;
  state.counters["stacks"] = stacks;
  state.counters["valid"] = valid;
  pareto_free(json);
  pareto_free(nested);
  pareto_app_free(app);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

void BM_SynthExample(benchmark::State& state) {
  run(state, example_app(), PARETO_SOURCE_DIR "/examples/hello");
}
BENCHMARK(BM_SynthExample)->Unit(benchmark::kMicrosecond);

void BM_SynthGenerated(benchmark::State& state) {
  run(state, generated_app(static_cast<int>(state.range(0))), nullptr);
  state.counters["components"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_SynthGenerated)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);

// `count` streams, each with an action writing to it and another reading it.
std::string streams_app(int count) {
  std::string text = "app: bench\nactions:\n";
  for (int i = 0; i < count; ++i)
    text += "  - {name: writer" + std::to_string(i) + "}\n  - {name: reader" + std::to_string(i) + "}\n";
  text += "streams:\n";
  for (int i = 0; i < count; ++i)
    text += "  - {name: s" + std::to_string(i) + ", writers: [writer" + std::to_string(i) +
            "], readers: [reader" + std::to_string(i) + "]}\n";
  return text;
}

void BM_SynthCustomKind(benchmark::State& state) {
  pareto::Kinds kinds;
  examples::add_stream_kind(kinds, PARETO_SOURCE_DIR "/examples/streams/kinds/stream.json");
  run(state, streams_app(static_cast<int>(state.range(0))), nullptr, kinds.get());
  state.counters["components"] = static_cast<double>(state.range(0) * 3);
}
BENCHMARK(BM_SynthCustomKind)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
