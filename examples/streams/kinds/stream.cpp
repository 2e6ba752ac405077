// The "streams" kind in C++: Kinesis data streams that actions write to and read from. A C++
// infra tool registers it on the pareto::Kinds it loads apps with:
//
//   pareto::Kinds kinds;
//   examples::add_stream_kind(kinds, "examples/streams/kinds/stream.json");
//   auto app = pareto::App::from_path("examples/streams", &kinds);
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "pareto/pareto.hpp"

namespace examples {
using nlohmann::json;

namespace {

const json kWrite = {"kinesis:PutRecord", "kinesis:PutRecords", "kinesis:DescribeStreamSummary"};
const json kRead = {"kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords",
                    "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:SubscribeToShard"};

json render(const json& request) {
  const json& entry = request["entry"];
  const json& references = request["references"];
  std::string stream = request["id"];
  json arn = {{"Fn::GetAtt", {stream, "Arn"}}};
  std::set<std::string> writers;
  for (const auto& w : references["writers"]) writers.insert(w["name"]);
  json errors = json::array();
  for (size_t i = 0; i < entry["readers"].size(); ++i) {
    std::string name = entry["readers"][i];
    if (writers.count(name))
      errors.push_back({{"path", "/readers/" + std::to_string(i)},
                        {"message", "action \"" + name + "\" writes to this stream too: it would "
                                    "read its own records back forever"}});
  }
  if (!errors.empty()) return {{"errors", errors}};
  json resources = {{stream,
                     {{"Type", "AWS::Kinesis::Stream"},
                      {"Properties",
                       {{"Name", request["physical_name"]},
                        {"ShardCount", entry["shards"]},
                        {"RetentionPeriodHours", entry["retention_hours"]},
                        {"StreamEncryption",
                         {{"EncryptionType", "KMS"}, {"KeyId", "alias/aws/kinesis"}}}}}}}};
  json grants = json::array();
  for (const auto& w : references["writers"])
    grants.push_back({{"action", w["name"]}, {"actions", kWrite}, {"resources", {arn}}});
  for (const auto& reader : references["readers"]) {
    grants.push_back({{"action", reader["name"]}, {"actions", kRead}, {"resources", {arn}}});
    resources[stream + reader["id"].get<std::string>() + "Mapping"] = {
        {"Type", "AWS::Lambda::EventSourceMapping"},
        {"Properties",
         {{"EventSourceArn", arn},
          {"FunctionName", {{"Ref", reader["id"]}}},
          {"StartingPosition", "LATEST"},
          {"BatchSize", entry["batch"]},
          {"MaximumRetryAttempts", 3},
          {"BisectBatchOnFunctionError", true}}}};
  }
  std::string name = request["name"];
  json outputs = {
      {stream + "Name", {{"Value", {{"Ref", stream}}}, {"Description", "stream " + name}}},
      {stream + "Arn", {{"Value", arn}, {"Description", "ARN of stream " + name}}}};
  return {{"resources", resources}, {"outputs", outputs}, {"grants", grants}};
}

}  // namespace

void add_stream_kind(pareto::Kinds& kinds, const std::string& definition_file) {
  std::ifstream in(definition_file);
  std::stringstream definition;
  definition << in.rdbuf();
  kinds.add(definition.str(), [](const std::string& request) {
    return render(json::parse(request)).dump();
  });
}

}  // namespace examples
