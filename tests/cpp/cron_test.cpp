#include <gtest/gtest.h>

#include <chrono>

#include "engine/cron.hpp"

namespace pareto::engine {
namespace {

int64_t at(int y, unsigned m, unsigned d, int hour, int minute) {
  using namespace std::chrono;
  sys_days day{year{y} / month{m} / std::chrono::day{d}};
  return duration_cast<milliseconds>((day + hours{hour} + minutes{minute}).time_since_epoch()).count();
}

TEST(Cron, TheNextMinuteItFiresInUtc) {
  // 2026-12-02 is a Wednesday.
  auto weekdays = Cron::parse("cron(15 10 ? * MON-FRI *)");
  ASSERT_TRUE(weekdays);
  EXPECT_EQ(weekdays->next(at(2026, 12, 2, 10, 14)), at(2026, 12, 2, 10, 15));
  EXPECT_EQ(weekdays->next(at(2026, 12, 2, 10, 15)), at(2026, 12, 3, 10, 15));
  EXPECT_EQ(weekdays->next(at(2026, 12, 4, 11, 0)), at(2026, 12, 7, 10, 15));  // Friday → Monday
  auto quarter = Cron::parse("cron(0/15 * * * ? *)");
  ASSERT_TRUE(quarter);
  EXPECT_EQ(quarter->next(at(2026, 12, 2, 10, 14)), at(2026, 12, 2, 10, 15));
  EXPECT_EQ(quarter->next(at(2026, 12, 2, 10, 46)), at(2026, 12, 2, 11, 0));
  auto yearly = Cron::parse("cron(0 0 1 JAN ? 2027)");
  ASSERT_TRUE(yearly);
  EXPECT_EQ(yearly->next(at(2026, 12, 2, 0, 0)), at(2027, 1, 1, 0, 0));
  EXPECT_EQ(Cron::parse("cron(0 0 1 JAN ? 2025)")->next(at(2026, 12, 2, 0, 0)), std::nullopt);
}

TEST(Cron, WhatItDoesNotReadIsNoSchedule) {
  for (const char* expression : {"cron(0 12 L * ? *)", "cron(0 12 ? * 6#3 *)", "cron(0 12 15W * ? *)",
                                 "cron(61 * * * ? *)", "cron(* * * *)", "rate(5 minutes)"})
    EXPECT_FALSE(Cron::parse(expression)) << expression;
}

}  // namespace
}  // namespace pareto::engine
