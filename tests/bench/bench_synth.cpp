// Synthesis cost: the example app, and generated apps of growing size (a table, a bucket, a
// queue and its worker action per four components).
#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>
#include <pareto/pareto.h>

#include <fstream>
#include <sstream>
#include <string>

namespace {

std::string generated_app(int components) {
  std::ostringstream yaml;
  yaml << "app: bench\nactions:\n";
  for (int i = 0; i < components / 4; ++i)
    yaml << "  - {name: worker" << i << ", permissions: [dynamodb:PutItem, s3:GetObject]}\n";
  yaml << "tables:\n";
  for (int i = 0; i < components / 4; ++i) yaml << "  - {name: table" << i << "}\n";
  yaml << "buckets:\n";
  for (int i = 0; i < components / 4; ++i) yaml << "  - {name: bucket" << i << "}\n";
  yaml << "queues:\n";
  for (int i = 0; i < components / 4; ++i)
    yaml << "  - {name: queue" << i << ", action: worker" << i << "}\n";
  return yaml.str();
}

std::string example_app() {
  std::ifstream in(PARETO_SOURCE_DIR "/examples/hello/pareto.yaml");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Loads and synthesizes `text` as many times as the benchmark asks; reports the output size.
void run(benchmark::State& state, const std::string& text, const char* base_dir) {
  pareto_load_options options = PARETO_LOAD_OPTIONS_INIT;
  options.base_dir = base_dir;
  for (auto _ : state) {
    pareto_app* app = nullptr;
    char* json = nullptr;
    pareto_app_load(&app, text.data(), text.size(), &options);
    pareto_app_synth(app, &json);
    benchmark::DoNotOptimize(json);
    pareto_free(json);
    pareto_app_free(app);
  }
  // What the timed runs produced, measured once outside them.
  pareto_app* app = nullptr;
  char* json = nullptr;
  pareto_app_load(&app, text.data(), text.size(), &options);
  bool valid = pareto_app_synth(app, &json) == PARETO_OK;
  state.counters["bytes"] = valid ? static_cast<double>(std::char_traits<char>::length(json)) : 0;
  state.counters["resources"] =
      valid ? static_cast<double>(nlohmann::json::parse(json)["Resources"].size()) : 0;
  state.counters["valid"] = valid;
  pareto_free(json);
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
BENCHMARK(BM_SynthGenerated)->Arg(10)->Arg(100)->Arg(200)->Arg(1000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
