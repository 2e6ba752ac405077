// tables: on-demand DynamoDB tables keyed by pk/sk strings, with one GSI per index.
#include "components/kind.hpp"

namespace pareto {
using nlohmann::json;

namespace {

void validate(Checker& c, const Component& table) {
  c.name_length(table, "table", 0, 255);
  std::set<std::string> seen;
  for (size_t i = 0; i < table["indexes"].size(); ++i) {
    std::string name = table["indexes"][i]["name"];
    std::string at = table.pointer + "/indexes/" + std::to_string(i) + "/name";
    if (name == "pk" || name == "sk")
      c.error(at, check::kDuplicateName, "\"" + name + "\" is the table's own key; name the "
                                         "index after the attribute it looks up");
    else if (!seen.insert(name).second)
      c.error(at, check::kDuplicateName, "the table already has an index \"" + name + "\"");
  }
}

void render(Renderer& r, const Component& table) {
  json attributes = {{{"AttributeName", "pk"}, {"AttributeType", "S"}},
                     {{"AttributeName", "sk"}, {"AttributeType", "S"}}};
  json indexes = json::array();
  for (const auto& index : table["indexes"]) {
    attributes.push_back({{"AttributeName", index["name"]}, {"AttributeType", index["type"]}});
    indexes.push_back({{"IndexName", index["name"]},
                       {"KeySchema", {{{"AttributeName", index["name"]}, {"KeyType", "HASH"}}}},
                       {"Projection", {{"ProjectionType", "ALL"}}}});
  }
  json properties = {
      {"TableName", r.physical_name(table.name)},
      {"BillingMode", "PAY_PER_REQUEST"},
      {"AttributeDefinitions", attributes},
      {"KeySchema", {{{"AttributeName", "pk"}, {"KeyType", "HASH"}},
                     {{"AttributeName", "sk"}, {"KeyType", "RANGE"}}}},
      {"PointInTimeRecoverySpecification", {{"PointInTimeRecoveryEnabled", true}}},
      {"SSESpecification", {{"SSEEnabled", true}}}};
  if (!indexes.empty()) properties["GlobalSecondaryIndexes"] = indexes;
  r.resource(table.id(), {{"Type", "AWS::DynamoDB::Table"}, {"Properties", properties}},
             table.pointer);
  r.output(table.id(), cfn::ref(table.id()), "The name of table " + table.name, table.pointer);
}

json variable(const Component& table) { return cfn::ref(table.id()); }

std::vector<json> arns(const Component& table) {
  std::vector<json> out{cfn::get_att(table.id(), "Arn")};
  if (!table["indexes"].empty()) out.push_back(cfn::sub("${" + table.id() + ".Arn}/index/*"));
  return out;
}

}  // namespace

extern const Kind kTableKind{"tables", "table", "table", "dynamodb", validate, render, variable, arns};

}  // namespace pareto
