// tables: on-demand DynamoDB tables (keyed by pk/sk strings unless `key` says otherwise), with one
// GSI per index and an optional time-to-live attribute; streaming tables feed their changes,
// grouped by an inline router function, to EventBridge.
#include "components/errors.hpp"
#include "components/function.hpp"

namespace pareto {
using nlohmann::json;

namespace {

// The router publishes a table's changes as events from this source, naming the table in
// detail.table (router.py).
constexpr std::string_view kEventSource = "pareto.table";
constexpr std::string_view kRouterSuffix = "-router";

// A key attribute as written: a name (a string attribute), or {name, type}.
struct Attribute {
  std::string name, type;
};

Attribute attribute(const json& written) {
  if (written.is_string()) return {written, "S"};
  return {written["name"], written["type"]};
}

// The partition key, then the sort key when the table has one.
std::vector<Attribute> key_attributes(const Component& table) {
  const json& key = table["key"];
  std::vector<Attribute> out{attribute(key["partition"])};
  if (!key["sort"].is_boolean()) out.push_back(attribute(key["sort"]));
  return out;
}

void validate(Checker& c, const Component& table) {
  c.name_length(table, "table", 0, 255);
  if (table.spec->contains("streaming")) c.name_length(table, "router function", kRouterSuffix.size(), 64);
  std::vector<Attribute> keys = key_attributes(table);
  if (table["key"]["sort"] == true)
    c.error(table.pointer + "/key/sort", check::kCombination,
            "sort: true says no name; give the sort key's name, or false for a table without one");
  if (keys.size() == 2 && keys[0].name == keys[1].name)
    c.error(table.pointer + "/key/sort", check::kDuplicateName,
            "the sort key is the partition key \"" + keys[0].name + "\"; name another attribute");
  std::map<std::string, std::string> types;  // attribute → type, of the keys and indexes
  for (const auto& key : keys) types.emplace(key.name, key.type);
  std::set<std::string> seen;
  for (size_t i = 0; i < table["indexes"].size(); ++i) {
    const json& index = table["indexes"][i];
    std::string name = index["name"];
    std::string at = table.pointer + "/indexes/" + std::to_string(i) + "/name";
    if (std::any_of(keys.begin(), keys.end(),
                    [&](const Attribute& key) { return key.name == name; }))
      c.error(at, check::kDuplicateName, "\"" + name + "\" is the table's own key; name the "
                                         "index after the attribute it looks up");
    else if (!seen.insert(name).second)
      c.error(at, check::kDuplicateName, "the table already has an index \"" + name + "\"");
    else
      types.emplace(name, index["type"].get<std::string>());
  }
  if (table.spec->contains("ttl")) {
    auto typed = types.find(table.string("ttl"));
    if (typed != types.end() && typed->second != "N")
      c.error(table.pointer + "/ttl", check::kCombination,
              "time to live reads a Number attribute (epoch seconds), and \"" + typed->first +
                  "\" is a key of type " + typed->second);
  }
}

// The stream's records, read in batches by the router function; a batch that keeps failing is
// halved until the failing records are found, and those go to the errors queue.
void render_router(Renderer& r, const Component& table) {
  const json& streaming = table["streaming"];
  std::string origin = table.pointer + "/streaming";
  json stream = cfn::get_att(table.id(), "StreamArn");
  Function router = helper_function(table.name + std::string(kRouterSuffix), "kinds/table/router.py", origin);
  router.variables = {{"TABLE", cfn::ref(table.id())},
                      {"SOURCE", kEventSource},
                      {"BUS", "default"},
                      {"DEBUG", streaming["debug"].get<bool>() ? "true" : "false"}};
  router.grants = {{{"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
                     "dynamodb:ListStreams"},
                    {stream},
                    origin},
                   {{"events:PutEvents"}, {arn("events", "event-bus/default")}, origin},
                   errors_grant(origin)};
  std::string function = render_function(r, router);
  r.resource(function + "Mapping",
             {{"Type", "AWS::Lambda::EventSourceMapping"},
              {"Properties",
               {{"EventSourceArn", stream},
                {"FunctionName", cfn::ref(function)},
                {"StartingPosition", "LATEST"},
                {"BatchSize", streaming["batch-size"]},
                {"MaximumBatchingWindowInSeconds", streaming["window"]},
                {"MaximumRetryAttempts", streaming["retries"]},
                {"BisectBatchOnFunctionError", true},
                {"DestinationConfig",
                 {{"OnFailure", {{"Destination", errors_destination(r, origin)}}}}}}}},
             origin);
}

void render(Renderer& r, const Component& table) {
  json attributes = json::array(), key_schema = json::array();
  for (const auto& key : key_attributes(table)) {
    attributes.push_back({{"AttributeName", key.name}, {"AttributeType", key.type}});
    key_schema.push_back(
        {{"AttributeName", key.name}, {"KeyType", key_schema.empty() ? "HASH" : "RANGE"}});
  }
  json indexes = json::array();
  for (const auto& index : table["indexes"]) {
    attributes.push_back({{"AttributeName", index["name"]}, {"AttributeType", index["type"]}});
    indexes.push_back({{"IndexName", index["name"]},
                       {"KeySchema", {{{"AttributeName", index["name"]}, {"KeyType", "HASH"}}}},
                       {"Projection", {{"ProjectionType", "ALL"}}}});
  }
  json properties = {{"TableName", r.physical_name(table.name)},
                     {"BillingMode", "PAY_PER_REQUEST"},
                     {"AttributeDefinitions", attributes},
                     {"KeySchema", key_schema},
                     {"PointInTimeRecoverySpecification", {{"PointInTimeRecoveryEnabled", true}}},
                     {"SSESpecification", {{"SSEEnabled", true}}}};
  if (r.retains(table)) properties["DeletionProtectionEnabled"] = true;
  if (!indexes.empty()) properties["GlobalSecondaryIndexes"] = indexes;
  if (table.spec->contains("ttl"))
    properties["TimeToLiveSpecification"] = {{"AttributeName", table["ttl"]}, {"Enabled", true}};
  if (table.spec->contains("streaming"))
    properties["StreamSpecification"] = {{"StreamViewType", "NEW_AND_OLD_IMAGES"}};
  r.data_resource(table, {{"Type", "AWS::DynamoDB::Table"}, {"Properties", properties}});
  r.charts({"table " + table.name, "kinds/table/charts.json", {{"name", "${" + table.id() + "}"}}});
  if (table.spec->contains("streaming")) render_router(r, table);
  r.output(table.id(), cfn::ref(table.id()), "The name of table " + table.name, table.pointer);
}

json variable(const Component& table) { return cfn::ref(table.id()); }

std::vector<json> arns(const Component& table) {
  std::vector<json> out{cfn::get_att(table.id(), "Arn")};
  if (!table["indexes"].empty()) out.push_back(cfn::sub("${" + table.id() + ".Arn}/index/*"));
  return out;
}

// What the router publishes; nothing when the table does not stream.
json event_source(const Component& table) {
  if (!table.spec->contains("streaming")) return nullptr;
  return {{"source", {kEventSource}}, {"detail", {{"table", {cfn::ref(table.id())}}}}};
}

// A streaming table's changes go through its router function to the default bus, whose rules
// invoke the actions that take them: the actions' links leave from the bus.
json diagram(const Component& table, Diagram& graph) {
  if (!table.spec->contains("streaming")) return nullptr;
  json errors = {"helpers", "errors"}, bus = {"buses", "default"};
  json router = {"helpers", table.name + std::string(kRouterSuffix)};
  for (const json& node : {errors, router, bus}) graph.node(node);
  graph.edge({"tables", table.name}, router, "stream");
  graph.edge(router, bus, "changes");
  graph.edge(router, errors, "failed batches");
  return bus;
}

}  // namespace

extern const Kind kTableKind{.key = "tables", .noun = "table", .suffix = "table",
                             .service = "dynamodb", .check = validate, .render = render,
                             .variable = variable, .arns = arns, .event_source = event_source,
                             .diagram = diagram};

}  // namespace pareto
