// timers: rules, sub-minute ticks, and their checks.
#include <gtest/gtest.h>

#include "component_fixture.hpp"

namespace pareto::testing_support {

TEST_F(Component, TimerRuleCarriesItsBody) {
  handler("ticker", "def handler(event, context):\n    pass\n");
  json t = synth("app: x\nactions: [{name: ticker, invocation: async}]\n"
                 "timers: [{name: tick, action: ticker, schedule: 'cron(0 12 * * ? *)', body: {a: 1}}]\n");
  const json& rule = t["Resources"]["TickTimer"]["Properties"];
  EXPECT_EQ(rule["ScheduleExpression"], "cron(0 12 * * ? *)");
  EXPECT_EQ(rule["Targets"][0]["Input"], R"({"a":1})");
  EXPECT_TRUE(t["Resources"].contains("TickTimerPermission"));
}

TEST_F(Component, SubMinuteTimerQueuesDelayedTicks) {
  handler("ticker", "def handler(event, context):\n    pass\n");
  json t = synth("app: x\nactions: [{name: ticker, invocation: async}]\n"
                 "timers: [{name: tick, action: ticker, interval: 15, body: {a: 1}}]\n");
  const json& r = t["Resources"];
  EXPECT_EQ(r["TickTimer"]["Properties"]["ScheduleExpression"], "rate(1 minute)");
  EXPECT_EQ(r["TickTimer"]["Properties"]["Targets"][0]["Arn"],
            json::parse(R"({"Fn::GetAtt": ["TickTickerFunction", "Arn"]})"));
  const json& variables = r["TickTickerFunction"]["Properties"]["Environment"]["Variables"];
  EXPECT_EQ(variables["INTERVAL"], "15");
  EXPECT_EQ(variables["BODY"], R"({"a":1})");
  EXPECT_EQ(r["TickTimerMapping"]["Properties"]["FunctionName"], json::parse(R"({"Ref": "TickerFunction"})"));
  json queue = json::parse(R"([{"Fn::GetAtt": ["TickTimerQueue", "Arn"]}])");
  EXPECT_EQ(statements(t, "TickTickerFunctionRole")["Sqs"]["Action"], json({"sqs:SendMessage"}));
  EXPECT_EQ(statements(t, "TickTickerFunctionRole")["Sqs"]["Resource"], queue);
  json receive;  // the action's other sqs statement sends to the errors queue
  json action_statements = statements(t, "TickerFunctionRole");
  for (const auto& [sid, statement] : action_statements.items())
    if (statement["Action"].dump().find("sqs:ReceiveMessage") != std::string::npos) receive = statement;
  EXPECT_EQ(receive["Resource"], queue);
}

TEST_F(Component, TimerMistakesAreReportedAtTheirPaths) {
  handler("ticker", "def handler(event, context):\n    pass\n");
  Synthesis result = synthesize(
      "app: x\nactions: [{name: ticker}]\n"
      "timers: [{name: tick, action: ticker, interval: 7}, {name: tock, action: ticker, rate: 1 minute, interval: 5}]\n",
      {.source_name = "pareto.yaml", .base_dir = dir_});
  std::vector<std::string> errors = testing_support::error_list(result);
  std::sort(errors.begin(), errors.end());
  // The ticker is async without saying so: timers invoke it asynchronously.
  EXPECT_EQ(errors, (std::vector<std::string>{"/timers/0/interval [E2006]", "/timers/1 [E3008]",
                                              "/timers/1/action [E3004]"}));
}

}  // namespace pareto::testing_support
