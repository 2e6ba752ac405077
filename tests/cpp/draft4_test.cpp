#include <gtest/gtest.h>

#include "check/schema.hpp"
#include "render/draft4.hpp"

namespace pareto {
namespace {
using nlohmann::json;

TEST(Draft4, TranslatesNewerKeywords) {
  Diagnostics errors;
  json out = to_draft4(json::parse(R"({
      "type": "object", "$comment": "dropped",
      "properties": {"n": {"type": "number", "exclusiveMinimum": 0},
                     "kind": {"const": "a"},
                     "tags": {"type": "array", "items": {"$ref": "#/$defs/tag"}}},
      "$defs": {"tag": {"type": "string"}}})"), "/s", errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(out["$schema"], "http://json-schema.org/draft-04/schema#");
  EXPECT_FALSE(out.contains("$comment"));
  EXPECT_EQ(out["properties"]["n"], json::parse(R"({"type":"number","minimum":0,"exclusiveMinimum":true})"));
  EXPECT_EQ(out["properties"]["kind"], json::parse(R"({"enum":["a"]})"));
  EXPECT_EQ(out["properties"]["tags"]["items"]["$ref"], "#/definitions/tag");
  EXPECT_EQ(out["definitions"]["tag"]["type"], "string");
}

TEST(Draft4, ReportsEveryInexpressibleKeywordAtItsPath) {
  Diagnostics errors;
  to_draft4(json::parse(R"({"properties": {"a": {"if": {}, "then": {}}},
                            "items": {"$ref": "https://example.com/s.json"}})"), "/s", errors);
  ASSERT_EQ(errors.size(), 3u);
  std::set<std::string> paths;
  for (const auto& e : errors) paths.insert(e.path);
  EXPECT_EQ(paths, (std::set<std::string>{"/s/properties/a/if", "/s/properties/a/then",
                                          "/s/items/$ref"}));
}

TEST(Draft4, BooleanSchemas) {
  Diagnostics errors;
  EXPECT_EQ(to_draft4(json::parse(R"({"properties": {"a": true, "b": false}})"), "", errors)["properties"],
            json::parse(R"({"a": {}, "b": {"not": {}}})"));
  EXPECT_TRUE(errors.empty());
}

}  // namespace
}  // namespace pareto

namespace pareto {
namespace {

// pareto dev validates request bodies against the models as API Gateway does: draft 4.
TEST(Draft4, AModelValidatesBodiesAsDraft4) {
  Diagnostics errors;
  Schema model(to_draft4(nlohmann::json::parse(R"({"type": "object",
      "properties": {"id": {"type": "string", "minLength": 1}, "age": {"type": "integer", "exclusiveMinimum": 0}},
      "required": ["id"]})"), "", errors), Schema::Draft::four);
  EXPECT_TRUE(model.validate(nlohmann::json::parse(R"({"id": "ada", "age": 3})")).empty());
  EXPECT_FALSE(model.validate(nlohmann::json::parse(R"({"age": 3})")).empty());
  EXPECT_FALSE(model.validate(nlohmann::json::parse(R"({"id": "ada", "age": 0})")).empty());
}

}  // namespace
}  // namespace pareto
