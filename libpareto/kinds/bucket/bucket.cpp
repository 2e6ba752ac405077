// buckets: private, encrypted S3 buckets that send their events to EventBridge.
#include "components/kind.hpp"

namespace pareto {
using nlohmann::json;

namespace {

// Bucket names are global: the account id keeps two accounts' stacks apart.
constexpr std::string_view kAccountSuffix = "-${AWS::AccountId}";
constexpr size_t kAccountSuffixLength = 13;

void validate(Checker& c, const Component& bucket) {
  c.name_length(bucket, "bucket", kAccountSuffixLength, 63);
}

void render(Renderer& r, const Component& bucket) {
  json block_all = {{"BlockPublicAcls", true}, {"BlockPublicPolicy", true},
                    {"IgnorePublicAcls", true}, {"RestrictPublicBuckets", true}};
  json encryption = {{"ServerSideEncryptionConfiguration",
                      {{{"ServerSideEncryptionByDefault", {{"SSEAlgorithm", "AES256"}}}}}}};
  r.data_resource(bucket,
                  {{"Type", "AWS::S3::Bucket"},
              {"Properties",
               {{"BucketName", r.physical_name(bucket.name, kAccountSuffix)},
                {"NotificationConfiguration",
                 {{"EventBridgeConfiguration", {{"EventBridgeEnabled", true}}}}},
                {"PublicAccessBlockConfiguration", block_all},
                {"BucketEncryption", encryption}}}});
  r.output(bucket.id(), cfn::ref(bucket.id()), "The name of bucket " + bucket.name, bucket.pointer);
  r.charts({"bucket " + bucket.name, "kinds/bucket/charts.json", {{"name", "${" + bucket.id() + "}"}}});
}

json variable(const Component& bucket) { return cfn::ref(bucket.id()); }

std::vector<json> arns(const Component& bucket) {
  return {cfn::get_att(bucket.id(), "Arn"), cfn::sub("${" + bucket.id() + ".Arn}/*")};
}

// S3's EventBridge events name the bucket in detail.bucket.name.
json event_source(const Component& bucket) {
  return {{"source", {"aws.s3"}}, {"detail", {{"bucket", {{"name", {cfn::ref(bucket.id())}}}}}}};
}

}  // namespace

extern const Kind kBucketKind{.key = "buckets", .noun = "bucket", .suffix = "bucket", .service = "s3",
                              .check = validate, .render = render, .variable = variable,
                              .arns = arns, .event_source = event_source};

}  // namespace pareto
