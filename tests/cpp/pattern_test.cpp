// EventBridge patterns: the shared conformance cases (tests/patterns/cases.json, also run from
// Python and Node), and rule sets.
#include <gtest/gtest.h>

#include <fstream>

#include "pattern/pattern.hpp"

namespace pareto::pattern {
namespace {
using nlohmann::json;

json conformance() {
  std::ifstream in(PARETO_SOURCE_DIR "/tests/patterns/cases.json");
  return json::parse(in);
}

TEST(Pattern, ConformanceMatching) {
  json cases = conformance()["matching"];
  ASSERT_GT(cases.size(), 30u);
  for (const auto& c : cases) {
    Diagnostics errors;
    Pattern p = Pattern::compile(c["pattern"], errors);
    ASSERT_TRUE(errors.empty()) << c["name"] << ": " << errors[0].path << " " << errors[0].message;
    for (const auto& event : c["match"]) EXPECT_TRUE(p.matches(event.dump())) << c["name"] << " should match " << event;
    for (const auto& event : c["miss"]) EXPECT_FALSE(p.matches(event.dump())) << c["name"] << " should miss " << event;
  }
}

TEST(Pattern, ConformanceInvalid) {
  json cases = conformance();  // kept: a range-for over conformance()["invalid"] would dangle
  for (const auto& c : cases["invalid"]) {
    Diagnostics errors;
    Pattern p = Pattern::compile(c["pattern"], errors, "");
    ASSERT_FALSE(errors.empty()) << c["name"] << " was accepted";
    EXPECT_EQ(errors[0].path, c["path"]) << c["name"];
    EXPECT_NE(errors[0].message.find(c["message"].get<std::string>()), std::string::npos)
        << c["name"] << ": " << errors[0].message;
    EXPECT_EQ(errors[0].check, "E5001");
    EXPECT_FALSE(p.matches("{}")) << "an invalid pattern matches nothing";
  }
}

TEST(Pattern, EveryErrorAtOnceUnderThePointerGiven) {
  Diagnostics errors;
  Pattern::compile(json::parse(R"({"a": "x", "b": [{"nope": 1}], "c": []})"), errors, "/actions/0/events/1/pattern");
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].path, "/actions/0/events/1/pattern/a");
  EXPECT_EQ(errors[1].path, "/actions/0/events/1/pattern/b/0/nope");
  EXPECT_EQ(errors[2].path, "/actions/0/events/1/pattern/c");
}

TEST(Pattern, NonObjectEventsMatchNothing) {
  Diagnostics errors;
  Pattern p = Pattern::compile(json::parse(R"({"a": [{"exists": false}]})"), errors);
  EXPECT_TRUE(p.matches("{}"));
  EXPECT_FALSE(p.matches("[]"));
  EXPECT_FALSE(p.matches(R"("text")"));
  EXPECT_FALSE(p.matches("{"));
}

// event-ruler keeps every value of a key given twice, where a JSON object would keep one.
TEST(Pattern, AKeyGivenTwiceHoldsBothValues) {
  Diagnostics errors;
  Pattern one = Pattern::compile(json::parse(R"({"a": [1]})"), errors);
  Pattern inner = Pattern::compile(json::parse(R"({"a": {"b": [1], "c": [2]}})"), errors);
  ASSERT_TRUE(errors.empty());
  EXPECT_TRUE(one.matches(R"({"a": 1, "a": 2})"));
  EXPECT_TRUE(one.matches(R"({"a": 2, "a": 1})"));
  EXPECT_TRUE(inner.matches(R"({"a": {"b": 1}, "a": {"c": 2}})"));
}

TEST(Rules, WhichRulesFire) {
  Diagnostics errors;
  Rules rules = Rules::compile(json::parse(R"({
      "uploads": {"source": ["aws.s3"], "detail": {"object": {"key": [{"prefix": "in/"}]}}},
      "any-s3": {"source": ["aws.s3", "aws.s3-outposts"]},
      "errors": {"detail": {"level": ["ERROR"]}},
      "builds": {"source": ["aws.codebuild"]}})"), errors);
  ASSERT_TRUE(errors.empty());
  EXPECT_EQ(*rules.match(R"({"source": "aws.s3", "detail": {"object": {"key": "in/a"}}})"),
            (std::vector<std::string>{"any-s3", "uploads"}));
  EXPECT_EQ(*rules.match(R"({"source": "aws.codebuild", "detail": {"level": "ERROR"}})"),
            (std::vector<std::string>{"builds", "errors"}));
  EXPECT_TRUE(rules.match(R"({"source": "aws.ec2"})")->empty());
  EXPECT_FALSE(rules.match("{oops"));
}

TEST(Rules, ErrorsNameTheRule) {
  Diagnostics errors;
  Rules::compile(json::parse(R"({"good": {"a": ["x"]}, "bad/one": {"a": "x"}})"), errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].path, "/bad~1one/a");
}

}  // namespace
}  // namespace pareto::pattern

namespace pareto::pattern {
namespace {

TEST(Pattern, DeepInputIsBoundedNotACrash) {
  nlohmann::json pattern = nlohmann::json::object();
  nlohmann::json* at = &pattern;
  for (int i = 0; i < 5000; ++i) at = &((*at)["a"] = nlohmann::json::object());
  (*at)["b"] = {"x"};
  Diagnostics errors;
  Pattern::compile(pattern, errors);
  ASSERT_FALSE(errors.empty());
  EXPECT_NE(errors[0].message.find("deeper"), std::string::npos);

  // Arrays nested in the event: event-ruler reads 1,000 levels (the root's included), no more.
  auto nested = [](int arrays) {
    return "{\"b\": " + std::string(arrays, '[') + "\"x\"" + std::string(arrays, ']') + "}";
  };
  Diagnostics none;
  Pattern shallow = Pattern::compile(nlohmann::json::parse(R"({"b": ["x"]})"), none);
  EXPECT_TRUE(shallow.matches(nested(999)));
  EXPECT_FALSE(shallow.matches(nested(1000)));
  EXPECT_FALSE(shallow.matches(nested(100000)));
}

}  // namespace
}  // namespace pareto::pattern

#include "pattern/template_rules.hpp"

namespace pareto::pattern {
namespace {

TEST(TemplateRules, PatternsAsDeployedToAStage) {
  nlohmann::json cloudformation = nlohmann::json::parse(R"json({
    "Parameters": {"StageName": {"Type": "String"}, "Prefix": {"Type": "String", "Default": "in/"}},
    "Resources": {
      "Uploads": {"Type": "AWS::Events::Rule", "Properties": {"EventPattern": {
        "source": ["aws.s3"],
        "detail": {"bucket": {"name": [{"Fn::Sub": "shop-${StageName}-uploads"}]},
                   "object": {"key": [{"prefix": {"Ref": "Prefix"}}]},
                   "region": [{"Ref": "AWS::Region"}]}}}},
      "Builds": {"Type": "AWS::Events::Rule", "Properties": {"EventPattern": {
        "detail": {"project-name": [{"Ref": "Builder"}]}}}},
      "Tick": {"Type": "AWS::Events::Rule", "Properties": {"ScheduleExpression": "rate(1 minute)"}},
      "Queue": {"Type": "AWS::SQS::Queue"}}})json");
  nlohmann::json out = template_rules(cloudformation, "shop-prod", "prod");
  EXPECT_EQ(out["rules"]["Uploads"], nlohmann::json::parse(R"({
        "source": ["aws.s3"],
        "detail": {"bucket": {"name": ["shop-prod-uploads"]},
                   "object": {"key": [{"prefix": "in/"}]},
                   "region": ["us-east-1"]}})"));
  EXPECT_FALSE(out["rules"].contains("Tick"));
  EXPECT_NE(out["skipped"]["Builds"].get<std::string>().find("Builder"), std::string::npos);

  Diagnostics errors;
  Rules rules = Rules::compile(out["rules"], errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(*rules.match(R"({"source": "aws.s3", "detail": {
      "bucket": {"name": "shop-prod-uploads"}, "object": {"key": "in/a.csv"}, "region": "us-east-1"}})"),
            std::vector<std::string>{"Uploads"});
}

}  // namespace
}  // namespace pareto::pattern
