#include "engine/cron.hpp"

#include <algorithm>
#include <chrono>
#include <regex>
#include <string_view>

namespace pareto::engine {

std::optional<Cron> Cron::parse(const std::string& expression) {
  static const std::regex kCron(R"(cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\))");
  std::smatch match;
  if (!std::regex_match(expression, match, kCron)) return std::nullopt;
  static const std::array<int, 6> kLow{0, 0, 1, 1, 1, 1970}, kHigh{59, 23, 31, 12, 7, 2199};
  Cron cron;
  for (size_t i = 0; i < 6; ++i) {
    std::optional<std::set<int>> values = field(match[i + 1].str(), kLow[i], kHigh[i], i == 3, i == 4);
    if (!values) return std::nullopt;
    cron.fields_[i] = std::move(*values);
  }
  return cron;
}

std::optional<int64_t> Cron::next(int64_t after_ms) const {
  using namespace std::chrono;
  constexpr int64_t kMinutesToLook = 527'040;  // 366 days
  auto minute = floor<minutes>(sys_time<milliseconds>(milliseconds(after_ms))) + minutes(1);
  for (int64_t i = 0; i < kMinutesToLook; ++i, minute += minutes(1)) {
    auto day = floor<days>(minute);
    year_month_day date(day);
    hh_mm_ss time(minute - day);
    int weekday = static_cast<int>(std::chrono::weekday(day).c_encoding()) + 1;  // SUN = 1
    if (fields_[0].contains(static_cast<int>(time.minutes().count())) &&
        fields_[1].contains(static_cast<int>(time.hours().count())) &&
        fields_[2].contains(static_cast<int>(static_cast<unsigned>(date.day()))) &&
        fields_[3].contains(static_cast<int>(static_cast<unsigned>(date.month()))) &&
        fields_[4].contains(weekday) && fields_[5].contains(static_cast<int>(date.year())))
      return duration_cast<milliseconds>(minute.time_since_epoch()).count();
  }
  return std::nullopt;
}

std::optional<std::set<int>> Cron::field(const std::string& text, int low, int high, bool months,
                                         bool weekdays) {
    static const std::array<std::string_view, 12> kMonths{"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                          "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
    static const std::array<std::string_view, 7> kDays{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};
    auto number = [&](const std::string& word) -> std::optional<int> {
      for (size_t i = 0; months && i < kMonths.size(); ++i) if (word == kMonths[i]) return static_cast<int>(i) + 1;
      for (size_t i = 0; weekdays && i < kDays.size(); ++i) if (word == kDays[i]) return static_cast<int>(i) + 1;
      if (word.empty() || word.size() > 4 || !std::all_of(word.begin(), word.end(), ::isdigit)) return std::nullopt;
      int value = std::stoi(word);
      return value >= low && value <= high ? std::optional<int>(value) : std::nullopt;
    };
    std::set<int> out;
    for (size_t start = 0; start <= text.size();) {
      size_t end = std::min(text.find(',', start), text.size());
      std::string part = text.substr(start, end - start);
      start = end + 1;
      int step = 1;
      if (size_t slash = part.find('/'); slash != std::string::npos) {
        std::optional<int> by = number(part.substr(slash + 1));
        if (!by || *by == 0) return std::nullopt;
        step = *by;
        part = part.substr(0, slash);
      }
      int from = low, to = high;
      if (part != "*" && part != "?") {
        size_t dash = part.find('-');
        std::optional<int> first = number(part.substr(0, dash));
        std::optional<int> last = dash == std::string::npos ? first : number(part.substr(dash + 1));
        if (!first || !last) return std::nullopt;
        from = *first;
        to = dash == std::string::npos && step > 1 ? high : *last;
      }
      for (int value = from; value <= to; value += step) out.insert(value);
    }
    return out;
  }


}  // namespace pareto::engine
