// timers: an EventBridge schedule (rate or cron) that invokes one action with a fixed body; or,
// below a minute (interval), a once-a-minute rule whose inline ticker function queues the
// minute's ticks as delayed SQS messages that the action consumes.
#include <fmt/format.h>

#include "kinds/action/action.hpp"
#include "components/function.hpp"

namespace pareto {
using nlohmann::json;

namespace {

constexpr size_t kMaxInput = 8192;  // EventBridge target Input
constexpr size_t kMaxTickerBody = 3072;  // within Lambda's 4 KB of variables, beside the others
constexpr std::string_view kTickerSuffix = "-ticker";
constexpr std::string_view kTicksSuffix = "-ticks";

void validate(Checker& c, const Component& timer) {
  c.name_length(timer, "rule", 0, 64);
  int given = timer.spec->contains("rate") + timer.spec->contains("schedule") +
              timer.spec->contains("interval");
  if (given != 1)
    c.error(timer.pointer, check::kCombination,
            given ? "give one of \"rate\", \"schedule\" and \"interval\""
                  : "give a \"rate\" (\"5 minutes\"), a \"schedule\" (\"cron(0 12 * * ? *)\") or "
                    "an \"interval\" in seconds below a minute");
  if (timer.spec->contains("rate")) {
    std::string rate = timer.string("rate");
    bool one = rate.rfind("1 ", 0) == 0, plural = rate.back() == 's';
    if (one == plural)
      c.error(timer.pointer + "/rate", check::kPattern,
              fmt::format("\"{}\": EventBridge wants the singular unit for 1 and the plural "
                          "otherwise (\"1 minute\", \"5 minutes\")", rate));
  }
  if (timer.spec->contains("interval")) {
    // The ticks of a minute are messages delayed 0, interval, 2 × interval … seconds: they fit
    // SQS's 15-minute delay and the minute only when the interval divides 60.
    int interval = timer["interval"];
    if (60 % interval != 0)
      c.error(timer.pointer + "/interval", check::kRange,
              fmt::format("{} seconds does not divide the minute; use 1, 2, 3, 4, 5, 6, 10, 12, "
                          "15, 20 or 30", interval));
    c.name_length(timer, "ticker function", kTickerSuffix.size(), 64);
    c.name_length(timer, "queue", kTicksSuffix.size(), 80);
  }
  size_t limit = timer.spec->contains("interval") ? kMaxTickerBody : kMaxInput;
  if (timer["body"].dump().size() > limit)
    c.error(timer.pointer + "/body", check::kRange,
            fmt::format("the body is over {} bytes as JSON{}", limit,
                        limit == kMaxTickerBody ? " (the ticker carries it in a variable)" : ""));
  std::string action = timer.string("action");
  if (c.require("actions", action, timer.pointer + "/action"))
    c.bind(action, timer.pointer + "/action", "timer " + timer.name);
}

json rule(Renderer& r, const Component& timer, std::string schedule, json target) {
  return {{"Type", "AWS::Events::Rule"},
          {"Properties", {{"Name", r.physical_name(timer.name)},
                          {"ScheduleExpression", std::move(schedule)},
                          {"State", "ENABLED"},
                          {"Targets", {std::move(target)}}}}};
}

// The rule runs the ticker every minute; the ticker queues the minute's ticks for the action.
void render_ticks(Renderer& r, const Component& timer, const std::string& action) {
  std::string queue = timer.id("timer-queue");
  json queue_arn = cfn::get_att(queue, "Arn");
  r.resource(queue,
             {{"Type", "AWS::SQS::Queue"},
              {"Properties", {{"QueueName", r.physical_name(timer.name, kTicksSuffix)},
                              {"VisibilityTimeout", action_timeout(r.model(), action)},
                              {"MessageRetentionPeriod", 60},  // a late tick is a missed tick
                              {"SqsManagedSseEnabled", true}}}},
             timer.pointer);
  Function ticker = helper_function(timer.name + std::string(kTickerSuffix), "kinds/timer/ticker.py", timer.pointer);
  ticker.variables = {{"QUEUE", cfn::ref(queue)},
                      {"INTERVAL", std::to_string(timer["interval"].get<int>())},
                      {"BODY", timer["body"].dump()}};
  ticker.grants = {{{"sqs:SendMessage"}, {queue_arn}, timer.pointer + "/interval"}};
  std::string function = render_function(r, ticker);
  r.resource(timer.id(),
             rule(r, timer, "rate(1 minute)",
                  {{"Id", "ticker"}, {"Arn", cfn::get_att(function, "Arn")}}),
             timer.pointer);
  r.resource(function + "Permission",
             invoke_permission(ticker.name, "events.amazonaws.com", cfn::get_att(timer.id(), "Arn")),
             timer.pointer);
  r.grant(action, consume_queue(r, timer.id("timer-mapping"), queue_arn, function_id(action), 1,
                                timer.pointer));
}

void render(Renderer& r, const Component& timer) {
  std::string action = timer.string("action");
  if (timer.spec->contains("interval")) {
    render_ticks(r, timer, action);
  } else {
    std::string schedule = timer.spec->contains("rate") ? "rate(" + timer.string("rate") + ")"
                                                        : timer.string("schedule");
    r.resource(timer.id(),
               rule(r, timer, schedule,
                    {{"Id", "action"},
                     {"Arn", cfn::get_att(function_id(action), "Arn")},
                     {"Input", timer["body"].dump()}}),
               timer.pointer);
    r.resource(timer.id("timer-permission"),
               invoke_permission(action, "events.amazonaws.com", cfn::get_att(timer.id(), "Arn")),
               timer.pointer);
  }
  r.output(timer.id(), cfn::ref(timer.id()), "The name of the rule of timer " + timer.name,
           timer.pointer);
  r.charts({"timer " + timer.name, "data/charts/rule.json", {{"name", "${" + timer.id() + "}"}}});
}

}  // namespace

extern const Kind kTimerKind{.key = "timers", .noun = "timer", .suffix = "timer", .service = "events",
                             .check = validate, .render = render};

}  // namespace pareto
