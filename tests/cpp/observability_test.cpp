// Dashboards and alarms: the layout on CloudWatch's grid, splitting within its limits, and the
// alarms' thresholds and topic.
#include <gtest/gtest.h>

#include "render/dashboard.hpp"
#include "support.hpp"

namespace pareto {
namespace {
using nlohmann::json;
using testing_support::synth;

// An app of `n` actions (no folder: their handlers are not read).
std::string many_actions(int n, const std::string& extra) {
  std::string yaml = "app: big\nactions:\n";
  for (int i = 0; i < n; ++i) yaml += "  - {name: a" + std::to_string(i) + "}\n";
  return yaml + extra;
}

// The template of an app that must be valid.
json synthesized(std::string_view yaml) {
  Synthesis result = synth(yaml);
  EXPECT_TRUE(result.ok()) << result.errors_json("pareto.yaml").dump();
  return result.ok() ? json::parse(result.template_json) : json::object();
}

std::vector<json> dashboards(const json& t) {
  std::vector<json> out;
  for (const auto& [id, resource] : t["Resources"].items())
    if (resource["Type"] == "AWS::CloudWatch::Dashboard")
      out.push_back(json::parse(resource["Properties"]["DashboardBody"]["Fn::Sub"].get<std::string>()));
  return out;
}

// Every widget inside the 24 columns, none overlapping another.
void expect_tidy(const json& body) {
  const json& widgets = body["widgets"];
  for (size_t i = 0; i < widgets.size(); ++i) {
    const json& a = widgets[i];
    EXPECT_GE(a["x"].get<int>(), 0);
    EXPECT_LE(a["x"].get<int>() + a["width"].get<int>(), 24) << a.dump();
    for (size_t j = i + 1; j < widgets.size(); ++j) {
      const json& b = widgets[j];
      bool apart = a["x"].get<int>() + a["width"].get<int>() <= b["x"].get<int>() ||
                   b["x"].get<int>() + b["width"].get<int>() <= a["x"].get<int>() ||
                   a["y"].get<int>() + a["height"].get<int>() <= b["y"].get<int>() ||
                   b["y"].get<int>() + b["height"].get<int>() <= a["y"].get<int>();
      EXPECT_TRUE(apart) << a.dump() << "\n" << b.dump();
    }
  }
}

TEST(Dashboard, RowsSitOnTheGridWithoutOverlaps) {
  std::vector<json> bodies = dashboards(synthesized(
      "app: x\nactions: [{name: a}, {name: b, invocation: async}]\n"
      "queues: [{name: q, action: a}]\ntables: [{name: t, streaming: {}}]\nbuckets: [{name: f}]\n"
      "topics: [{name: n, action: b}]\ndashboard: true\n"));
  ASSERT_EQ(bodies.size(), 1u);
  expect_tidy(bodies[0]);
  // A title per component, over its charts; each function has its four.
  int titles = 0;
  for (const auto& w : bodies[0]["widgets"]) titles += w["type"] == "text";
  EXPECT_EQ(titles, 10);  // a, b, q, t, f, n, t's router, the error handler, its queue and topic
  // Charts take the dashboard's period, but S3's daily storage metrics keep theirs.
  for (const auto& w : bodies[0]["widgets"]) {
    if (w["type"] == "text") continue;
    bool daily = w["properties"]["metrics"][0][0] == "AWS/S3";
    EXPECT_EQ(w["properties"]["period"], daily ? 86400 : 300) << w.dump();
  }
}

TEST(Dashboard, LargeAppsSplitWithinCloudWatchLimits) {
  json t = synthesized(many_actions(120, "dashboard: {period: 60}\n"));
  std::vector<json> bodies = dashboards(t);
  ASSERT_EQ(bodies.size(), 2u);  // 120 rows of 5 widgets: 600 > 500
  size_t widgets = 0;
  for (const auto& body : bodies) {
    EXPECT_LE(body["widgets"].size(), kMaxWidgets);
    EXPECT_EQ(body["widgets"][0]["y"], 0);  // each starts at its top
    EXPECT_EQ(body["widgets"].size() % 5, 0u);  // rows are never cut
    expect_tidy(body);
    widgets += body["widgets"].size();
  }
  EXPECT_EQ(widgets, 600u);
  EXPECT_TRUE(t["Outputs"].contains("Dashboard2Url"));
}

TEST(Dashboard, ChartsOfMissingPartsAreLeftOut) {
  // The errors queue has no dead-letter queue: its row has two charts, not three.
  std::vector<json> pages = layout({{"errors queue", "kinds/queue/charts.json", {{"name", "${ErrorsQueue.QueueName}"}}}}, 300);
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_EQ(pages[0].size(), 3u);
}

TEST(Alarms, ThresholdsAndTopicAreTheUsers) {
  json r = synthesized(
      "app: x\nactions: [{name: a}, {name: n}]\nqueues: [{name: q, action: a}]\n"
      "topics: [{name: pager, action: n}]\n"
      "alarms: {topic: pager, logs: false, thresholds: {errors: 5, message-age: 600, duration: 90}}\n")["Resources"];
  const json& errors = r["AFunctionErrorsAlarm"]["Properties"];
  EXPECT_EQ(errors["Threshold"], 5.0);
  EXPECT_EQ(errors["AlarmActions"], json::parse(R"([{"Ref": "PagerTopic"}])"));
  EXPECT_EQ(r["QQueueAgeAlarm"]["Properties"]["Threshold"], 600.0);
  EXPECT_EQ(r["QQueueDeadLettersAlarm"]["Properties"]["Dimensions"][0]["Value"],
            json::parse(R"({"Fn::GetAtt": ["QQueueDlq", "QueueName"]})"));
  const json& duration = r["AFunctionDurationAlarm"]["Properties"];
  EXPECT_EQ(duration["Threshold"], 90.0);
  EXPECT_EQ(duration["Metrics"][1]["Expression"]["Fn::Sub"], "duration / (10 * ${TimeoutDefault})");
  EXPECT_FALSE(r.contains("AlarmsTopic"));      // the declared one serves
  EXPECT_FALSE(r.contains("LogAlertsFunction"));  // logs: false
}

TEST(Alarms, LogAlertsWatchEveryFunctionButTheirOwn) {
  json t = synthesized("app: x\nactions: [{name: a}, {name: b}]\nalarms: {webhook: true}\n");
  const json& r = t["Resources"];
  EXPECT_EQ(r["AFunctionLogAlerts"]["Properties"]["DestinationArn"],
            json::parse(R"({"Fn::GetAtt": ["LogAlertsFunction", "Arn"]})"));
  EXPECT_TRUE(r.contains("BFunctionLogAlerts"));
  EXPECT_FALSE(r.contains("LogAlertsFunctionLogAlerts"));
  EXPECT_EQ(t["Parameters"]["AlarmsWebhookUrl"]["NoEcho"], true);
  EXPECT_EQ(r["LogAlertsFunctionPermission"]["Properties"]["SourceArn"]["Fn::Sub"],
            "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/x-${StageName}-*:*");
  EXPECT_TRUE(t["Outputs"].contains("AlarmsTopic"));
}

}  // namespace
}  // namespace pareto
