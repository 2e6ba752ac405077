#include <gtest/gtest.h>

#include "render/template.hpp"

namespace pareto {
namespace {
using nlohmann::json;

TEST(References, FindsRefGetAttAndDependsOn) {
  json value = {{"A", {{"Ref", "Bucket"}}},
                {"B", {{"Fn::GetAtt", {"Role", "Arn"}}}},
                {"C", {{"Fn::GetAtt", "Queue.Arn"}}},
                {"DependsOn", {"Log"}}};
  References found = references(value);
  EXPECT_EQ(found.refs, (std::set<std::string>{"Bucket"}));
  EXPECT_EQ(found.attributes, (std::set<std::string>{"Queue", "Role"}));
  EXPECT_EQ(found.depends_on, (std::set<std::string>{"Log"}));
  EXPECT_EQ(found.all(), (std::set<std::string>{"Bucket", "Log", "Queue", "Role"}));
}

TEST(References, SubStringAndListForms) {
  References string_form = references(json{{"Fn::Sub", "arn:${AWS::Partition}:${Table.Arn}/${Stage}"}});
  EXPECT_EQ(string_form.refs, (std::set<std::string>{"AWS::Partition", "Stage"}));
  EXPECT_EQ(string_form.attributes, (std::set<std::string>{"Table"}));

  // The list form's own variables are not references; their values are searched.
  References list_form = references(
      json{{"Fn::Sub", {"${Own}-${Other}", {{"Own", {{"Ref", "Topic"}}}}}}});
  EXPECT_EQ(list_form.refs, (std::set<std::string>{"Other", "Topic"}));
}

TEST(References, SubSkipsLiterals) {
  EXPECT_EQ(sub_variables("${!Literal} ${Real} ${A.B}"), (std::set<std::string>{"A.B", "Real"}));
  EXPECT_TRUE(sub_variables("no variables $ here {").empty());
}

TEST(References, PseudoParameters) {
  EXPECT_TRUE(is_pseudo_parameter("AWS::Region"));
  EXPECT_TRUE(is_pseudo_parameter("AWS::URLSuffix"));
  EXPECT_FALSE(is_pseudo_parameter("StageName"));
}

TEST(Template, DumpIsDeterministic) {
  Template a, b;
  a.resources["Z"] = {{"Type", "AWS::SQS::Queue"}};
  a.resources["A"] = {{"Type", "AWS::SNS::Topic"}};
  b.resources["A"] = {{"Type", "AWS::SNS::Topic"}};
  b.resources["Z"] = {{"Type", "AWS::SQS::Queue"}};
  EXPECT_EQ(a.dump(), b.dump());
  EXPECT_EQ(a.dump().back(), '\n');
  EXPECT_LT(a.dump().find("\"A\""), a.dump().find("\"Z\""));
}

}  // namespace
}  // namespace pareto
