#include <gtest/gtest.h>

#include "names.hpp"

namespace pareto {
namespace {

TEST(Names, PascalCaseJoinsHyphenatedWords) {
  EXPECT_EQ(pascal_case("hello-get"), "HelloGet");
  EXPECT_EQ(pascal_case("a"), "A");
  EXPECT_EQ(logical_id("users", "table"), "UsersTable");
}

TEST(Names, VariablesAreUpperSnake) {
  EXPECT_EQ(upper_snake("api-token"), "API_TOKEN");
  EXPECT_EQ(variable_name("users", "table"), "USERS_TABLE");
}

TEST(Names, PointerSegmentsAreEscaped) {
  EXPECT_EQ(pointer_escape("a/b~c"), "a~1b~0c");
  EXPECT_EQ(pointer_escape("plain"), "plain");
}

TEST(Names, NearestSuggestsCloseWordsOnly) {
  EXPECT_EQ(nearest("tabels", {"tables", "topics", "timers"}), "tables");
  EXPECT_EQ(nearest("zzzzzz", {"tables", "topics"}), "");
  EXPECT_EQ(nearest("x", {}), "");
}

TEST(Names, JoinNamesReadsAsASentence) {
  EXPECT_EQ(join_names({"a"}), "a");
  EXPECT_EQ(join_names({"a", "b", "c"}), "a, b or c");
  EXPECT_EQ(join_names({"a", "b"}, " and "), "a and b");
}

}  // namespace
}  // namespace pareto
