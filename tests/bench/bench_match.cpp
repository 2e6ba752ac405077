// Event pattern matching: events matched per second against 1, 100 and 10,000 compiled rules,
// and a whole AWS event against 100.
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

// Matches each event of the batch against the compiled rules, as many times as the state asks.
void time_matching(benchmark::State& state, const json& rules, const std::vector<std::string>& batch) {
  std::string text = rules.dump();
  pareto_rules* compiled = nullptr;
  pareto_rules_compile(&compiled, text.data(), text.size());
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

void BM_MatchRules(benchmark::State& state) {
  int count = static_cast<int>(state.range(0));
  time_matching(state, rules(count), events(count));
}
BENCHMARK(BM_MatchRules)->Arg(1)->Arg(100)->Arg(10000)->Unit(benchmark::kMicrosecond);

// A whole S3 "Object Created" event as EventBridge delivers it (the AWS documentation's example),
// against 100 rules on its bucket and key: most of the event is read by no rule.
void BM_MatchS3Event(benchmark::State& state) {
  json rules = json::object();
  for (int i = 0; i < 100; ++i)
    rules["rule-" + std::to_string(i)] = {
        {"source", {"aws.s3"}}, {"detail-type", {"Object Created"}},
        {"detail", {{"bucket", {{"name", {"bucket-" + std::to_string(i)}}}},
                    {"object", {{"key", {{{"prefix", "in/"}}}}}}}}};
  json event = json::parse(R"({"version": "0", "id": "17793124-05d4-b198-2fde-7ededc63b103",
      "detail-type": "Object Created", "source": "aws.s3", "account": "111122223333",
      "time": "2021-11-12T00:00:00Z", "region": "ca-central-1",
      "resources": ["arn:aws:s3:::DOC-EXAMPLE-BUCKET1"],
      "detail": {"version": "0", "bucket": {"name": "DOC-EXAMPLE-BUCKET1"},
        "object": {"key": "example-key", "size": 5, "etag": "b1946ac92492d2347c6235b4d2611184",
                   "version-id": "IYV3p45BhZA4bRpDsUe6D9n3jGxPMMBH", "sequencer": "617f08299329d189"},
        "request-id": "N4N7GDK58NMKJ12R", "requester": "123456789012",
        "source-ip-address": "1.2.3.4", "reason": "PutObject"}})");
  std::vector<std::string> batch;  // half of them under in/
  for (int e = 0; e < 100; ++e) {
    event["detail"]["bucket"]["name"] = "bucket-" + std::to_string(e * 7919 % 100);
    event["detail"]["object"]["key"] = (e % 2 ? "in/" : "out/") + std::to_string(e);
    batch.push_back(event.dump());
  }
  time_matching(state, rules, batch);
}
BENCHMARK(BM_MatchS3Event)->Unit(benchmark::kMicrosecond);

}  // namespace
