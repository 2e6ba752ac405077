// buckets: private, encrypted S3 buckets that send their events to EventBridge, with optional
// CORS, versioning, lifecycle rules and a public website.
#include "components/kind.hpp"

namespace pareto {
using nlohmann::json;

namespace {

// Bucket names are global: the account id keeps two accounts' stacks apart.
constexpr std::string_view kAccountSuffix = "-${AWS::AccountId}";
constexpr size_t kAccountSuffixLength = 13;

// S3 moves objects to these classes only after they are 30 days old.
const std::set<std::string, std::less<>> kThirtyDayClasses = {"STANDARD_IA", "ONEZONE_IA"};

void validate_rule(Checker& c, const Component& bucket, size_t i) {
  const json& rule = bucket["lifecycle"][i];
  std::string at = bucket.pointer + "/lifecycle/" + std::to_string(i);
  if (!rule.contains("expire") && !rule.contains("transitions") && !rule.contains("noncurrent") &&
      !rule.contains("uploads"))
    c.error(at, check::kRequired,
            "the rule does nothing: give expire, transitions, noncurrent or uploads");
  if (rule.contains("noncurrent") && !bucket.spec->value("versioning", false))
    c.error(at + "/noncurrent", check::kCombination,
            "only a versioned bucket has noncurrent versions: set versioning: true");
  int previous = -1;
  std::set<std::string> classes;
  for (size_t t = 0; t < rule.value("transitions", json::array()).size(); ++t) {
    const json& transition = rule["transitions"][t];
    std::string where = at + "/transitions/" + std::to_string(t);
    int days = transition["days"];
    std::string storage = transition["class"];
    if (kThirtyDayClasses.count(storage) && days < 30)
      c.error(where + "/days", check::kRange, storage + " takes objects at least 30 days old");
    if (days <= previous)
      c.error(where + "/days", check::kCombination,
              "transitions go in order of days, each later than the one before");
    if (!classes.insert(storage).second)
      c.error(where + "/class", check::kDuplicateName,
              "the rule moves objects to " + storage + " twice");
    if (rule.contains("expire") && rule["expire"].get<int>() <= days)
      c.error(at + "/expire", check::kCombination,
              "objects expire before (or when) they would move to " + storage +
                  "; expire later, or drop the transition");
    previous = days;
  }
}

void validate(Checker& c, const Component& bucket) {
  c.name_length(bucket, "bucket", kAccountSuffixLength, 63);
  std::set<std::string> prefixes;
  for (size_t i = 0; i < bucket["lifecycle"].size(); ++i) {
    validate_rule(c, bucket, i);
    if (!prefixes.insert(bucket["lifecycle"][i]["prefix"].get<std::string>()).second)
      c.error(bucket.pointer + "/lifecycle/" + std::to_string(i) + "/prefix", check::kDuplicateName,
              "another rule has this prefix; put what both do in one rule");
  }
}

json lifecycle(const Component& bucket) {
  json rules = json::array();
  for (const auto& written : bucket["lifecycle"]) {
    std::string prefix = written["prefix"];
    json rule = {{"Id", prefix.empty() ? "every object" : "under " + prefix},
                 {"Status", "Enabled"}};
    if (!prefix.empty()) rule["Prefix"] = prefix;
    if (written.contains("expire")) rule["ExpirationInDays"] = written["expire"];
    if (written.contains("noncurrent"))
      rule["NoncurrentVersionExpiration"] = {{"NoncurrentDays", written["noncurrent"]}};
    if (written.contains("uploads"))
      rule["AbortIncompleteMultipartUpload"] = {{"DaysAfterInitiation", written["uploads"]}};
    if (written.contains("transitions")) {
      json transitions = json::array();
      for (const auto& transition : written["transitions"])
        transitions.push_back(
            {{"StorageClass", transition["class"]}, {"TransitionInDays", transition["days"]}});
      rule["Transitions"] = transitions;
    }
    rules.push_back(rule);
  }
  return {{"Rules", rules}};
}

json cors(const json& written) {
  json rule = {{"AllowedOrigins", written["origins"]},
               {"AllowedMethods", written["methods"]},
               {"MaxAge", written["max-age"]}};
  if (!written["headers"].empty()) rule["AllowedHeaders"] = written["headers"];
  if (!written["expose"].empty()) rule["ExposedHeaders"] = written["expose"];
  return {{"CorsRules", {rule}}};
}

// A website's objects are public: the bucket policy lets anyone read them, and the public access
// block keeps refusing ACLs but allows that policy. Scanners that flag a public bucket policy
// (checkov) read in the bucket's Metadata that this one is meant.
void render_website(Renderer& r, const Component& bucket, json& definition) {
  const json& website = bucket["website"];
  json configuration = {{"IndexDocument", website["index"]}};
  if (website.contains("error")) configuration["ErrorDocument"] = website["error"];
  json& properties = definition["Properties"];
  properties["WebsiteConfiguration"] = configuration;
  properties["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] = false;
  properties["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"] = false;
  json skip = json::array();
  for (const char* check : {"CKV_AWS_54", "CKV_AWS_56"})
    skip.push_back({{"id", check}, {"comment", "website: anyone may read its objects"}});
  definition["Metadata"] = {{"checkov", {{"skip", skip}}}};
  json statement = {{"Sid", "PublicRead"},
                    {"Effect", "Allow"},
                    {"Principal", "*"},
                    {"Action", "s3:GetObject"},
                    {"Resource", cfn::sub("${" + bucket.id() + ".Arn}/*")}};
  r.resource(bucket.id("bucket-policy"),
             {{"Type", "AWS::S3::BucketPolicy"},
              {"Properties",
               {{"Bucket", cfn::ref(bucket.id())},
                {"PolicyDocument", {{"Version", "2012-10-17"}, {"Statement", {statement}}}}}}},
             bucket.pointer + "/website");
  r.output(bucket.id("bucket-website"), cfn::get_att(bucket.id(), "WebsiteURL"),
           "The website address of bucket " + bucket.name + " (HTTP)", bucket.pointer + "/website");
}

void render(Renderer& r, const Component& bucket) {
  json block_all = {{"BlockPublicAcls", true}, {"BlockPublicPolicy", true},
                    {"IgnorePublicAcls", true}, {"RestrictPublicBuckets", true}};
  json encryption = {{"ServerSideEncryptionConfiguration",
                      {{{"ServerSideEncryptionByDefault", {{"SSEAlgorithm", "AES256"}}}}}}};
  json properties = {
      {"BucketName", r.physical_name(bucket.name, kAccountSuffix)},
      {"NotificationConfiguration", {{"EventBridgeConfiguration", {{"EventBridgeEnabled", true}}}}},
      {"PublicAccessBlockConfiguration", block_all},
      {"BucketEncryption", encryption}};
  if (bucket.spec->value("cors", json()).is_object())
    properties["CorsConfiguration"] = cors(bucket["cors"]);
  if (bucket.spec->contains("versioning"))
    properties["VersioningConfiguration"] = {
        {"Status", bucket["versioning"].get<bool>() ? "Enabled" : "Suspended"}};
  if (!bucket["lifecycle"].empty()) properties["LifecycleConfiguration"] = lifecycle(bucket);
  json definition = {{"Type", "AWS::S3::Bucket"}, {"Properties", properties}};
  if (bucket.spec->value("website", json()).is_object()) render_website(r, bucket, definition);
  r.data_resource(bucket, definition);
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
