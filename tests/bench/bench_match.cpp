// Event pattern matching: events matched per second against 1, 100 and 10,000 compiled rules.
// tests/bench/match_report.py builds the same rules and events to time moto's matcher beside it.
#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>
#include <pareto/pareto.h>

#include <string>
#include <vector>

namespace {
using nlohmann::json;

// Rule i: source "app.<i>", one of 7 detail types, a size threshold and a key prefix.
json rules(int count) {
  json out = json::object();
  for (int i = 0; i < count; ++i)
    out["rule-" + std::to_string(i)] = {
        {"source", {"app." + std::to_string(i)}},
        {"detail-type", {"Thing " + std::to_string(i % 7)}},
        {"detail", {{"size", {{{"numeric", {">", i % 100}}}}}, {"key", {{{"prefix", "in/"}}}}}}};
  return out;
}

// 100 events over the first rules' sources, half of which match their rule.
std::vector<std::string> events(int count) {
  std::vector<std::string> out;
  for (int e = 0; e < 100; ++e) {
    int i = (e * 7919) % count;
    out.push_back(json{{"source", "app." + std::to_string(i)},
                       {"detail-type", "Thing " + std::to_string(i % 7)},
                       {"detail", {{"size", e % 2 ? 1000 : -1}, {"key", "in/" + std::to_string(e)}}}}
                      .dump());
  }
  return out;
}

void BM_MatchRules(benchmark::State& state) {
  int count = static_cast<int>(state.range(0));
  std::string text = rules(count).dump();
  pareto_rules* compiled = nullptr;
  pareto_rules_compile(&compiled, text.data(), text.size());
  std::vector<std::string> batch = events(count);
  size_t matched = 0;
  for (auto _ : state) {
    for (const auto& event : batch) {
      char* names = nullptr;
      pareto_rules_match(compiled, event.data(), event.size(), &names);
      matched += names[1] != ']';
      pareto_free(names);
    }
  }
  pareto_rules_free(compiled);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch.size()));
  state.counters["matched"] = static_cast<double>(matched) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_MatchRules)->Arg(1)->Arg(100)->Arg(10000)->Unit(benchmark::kMicrosecond);

}  // namespace
