// timers: an EventBridge schedule (rate or cron) that invokes one action with a fixed body.
#include <fmt/format.h>

#include "components/action.hpp"

namespace pareto {
using nlohmann::json;

namespace {

constexpr size_t kMaxInput = 8192;  // EventBridge target Input

void validate(Checker& c, const Component& timer) {
  c.name_length(timer, "rule", 0, 64);
  bool has_rate = timer.spec->contains("rate"), has_schedule = timer.spec->contains("schedule");
  if (has_rate == has_schedule)
    c.error(timer.pointer, check::kCombination,
            has_rate ? "give either \"rate\" or \"schedule\", not both"
                     : "give a \"rate\" (\"5 minutes\") or a \"schedule\" (\"cron(0 12 * * ? *)\")");
  if (has_rate) {
    std::string rate = timer.string("rate");
    bool one = rate.rfind("1 ", 0) == 0, plural = rate.back() == 's';
    if (one == plural)
      c.error(timer.pointer + "/rate", check::kPattern,
              fmt::format("\"{}\": EventBridge wants the singular unit for 1 and the plural "
                          "otherwise (\"1 minute\", \"5 minutes\")", rate));
  }
  if (timer["body"].dump().size() > kMaxInput)
    c.error(timer.pointer + "/body", check::kRange,
            fmt::format("the body is over {} bytes as JSON", kMaxInput));
  std::string action = timer.string("action");
  if (c.require("actions", action, timer.pointer + "/action"))
    c.bind(action, timer.pointer + "/action", "timer " + timer.name);
}

void render(Renderer& r, const Component& timer) {
  std::string action = timer.string("action");
  std::string schedule = timer.spec->contains("rate") ? "rate(" + timer.string("rate") + ")"
                                                      : timer.string("schedule");
  r.resource(timer.id(),
             {{"Type", "AWS::Events::Rule"},
              {"Properties",
               {{"Name", r.physical_name(timer.name)},
                {"ScheduleExpression", schedule},
                {"State", "ENABLED"},
                {"Targets", {{{"Id", "action"},
                              {"Arn", cfn::get_att(function_id(action), "Arn")},
                              {"Input", timer["body"].dump()}}}}}}},
             timer.pointer);
  r.resource(timer.id("timer-permission"),
             invoke_permission(action, "events.amazonaws.com", cfn::get_att(timer.id(), "Arn")),
             timer.pointer);
  r.output(timer.id(), cfn::ref(timer.id()), "The name of the rule of timer " + timer.name,
           timer.pointer);
}

}  // namespace

extern const Kind kTimerKind{"timers", "timer", "timer", "events", validate, render, nullptr, nullptr};

}  // namespace pareto
