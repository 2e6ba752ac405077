// The schedules of EventBridge rules, as pareto dev fires them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>

namespace pareto::engine {

// AWS's cron(minutes hours day-of-month month day-of-week year), in UTC: the next minute after
// `after_ms` that it fires, or nullopt when it uses what this does not read (L, W, #) or never
// fires within a year and a day.
class Cron {
 public:
  static std::optional<Cron> parse(const std::string& expression);
  std::optional<int64_t> next(int64_t after_ms) const;

 private:
  // "*", "?", "5", "1-5", "*/15", "10-50/20", "MON-FRI", "JAN,JUL", each within [low, high].
  static std::optional<std::set<int>> field(const std::string& text, int low, int high, bool months,
                                            bool weekdays);

  std::array<std::set<int>, 6> fields_;
};

}  // namespace pareto::engine
