// buckets: events to EventBridge, CORS, versioning, lifecycle rules and websites.
#include <gtest/gtest.h>

#include "component_fixture.hpp"

namespace pareto::testing_support {

TEST_F(Component, BucketSendsEventsToEventBridge) {
  json t = synth("app: x\nbuckets: [{name: uploads}]\n");
  const json& props = t["Resources"]["UploadsBucket"]["Properties"];
  EXPECT_EQ(props["NotificationConfiguration"]["EventBridgeConfiguration"]["EventBridgeEnabled"], true);
  EXPECT_TRUE(props.contains("BucketName"));
}

TEST_F(Component, BucketCorsTrueIsTheBrowserDefaults) {
  json t = synth(
      "app: x\nbuckets: [{name: a, cors: true}, {name: b, cors: {origins: [\"https://x.example\"], "
      "headers: []}}]\n");
  const json& a = t["Resources"]["ABucket"]["Properties"]["CorsConfiguration"]["CorsRules"][0];
  EXPECT_EQ(a["AllowedOrigins"], json({"*"}));
  EXPECT_EQ(a["AllowedMethods"], json({"GET", "PUT", "POST", "HEAD"}));
  EXPECT_EQ(a["ExposedHeaders"], json({"ETag"}));
  const json& b = t["Resources"]["BBucket"]["Properties"]["CorsConfiguration"]["CorsRules"][0];
  EXPECT_EQ(b["AllowedOrigins"], json({"https://x.example"}));
  EXPECT_FALSE(b.contains("AllowedHeaders"));
}

TEST_F(Component, BucketVersioningIsOnSuspendedOrUntouched) {
  json t = synth(
      "app: x\nbuckets: [{name: a, versioning: true}, {name: b, versioning: false}, {name: c}]\n");
  const json& r = t["Resources"];
  EXPECT_EQ(r["ABucket"]["Properties"]["VersioningConfiguration"]["Status"], "Enabled");
  EXPECT_EQ(r["BBucket"]["Properties"]["VersioningConfiguration"]["Status"], "Suspended");
  EXPECT_FALSE(r["CBucket"]["Properties"].contains("VersioningConfiguration"));
}

TEST_F(Component, BucketLifecycleRulesAreS3s) {
  json t = synth(
      "app: x\nbuckets:\n  - name: a\n    versioning: true\n    lifecycle:\n"
      "      - {prefix: logs/, expire: 90, transitions: [{days: 30, class: STANDARD_IA}]}\n"
      "      - {noncurrent: 7, uploads: 2}\n");
  const json& rules = t["Resources"]["ABucket"]["Properties"]["LifecycleConfiguration"]["Rules"];
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(
      rules[0],
      json::parse(
          R"({"Id": "under logs/", "Prefix": "logs/", "Status": "Enabled", "ExpirationInDays": 90,
      "Transitions": [{"StorageClass": "STANDARD_IA", "TransitionInDays": 30}]})"));
  EXPECT_EQ(rules[1], json::parse(R"({"Id": "every object", "Status": "Enabled",
      "NoncurrentVersionExpiration": {"NoncurrentDays": 7}, "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2}})"));
}

TEST_F(Component, BucketWebsiteIsReadableByAnyoneAndNothingElse) {
  json t = synth("app: x\nbuckets: [{name: site, website: true}, {name: private}]\n");
  const json& r = t["Resources"];
  const json& props = r["SiteBucket"]["Properties"];
  EXPECT_EQ(props["WebsiteConfiguration"], json::parse(R"({"IndexDocument": "index.html"})"));
  // ACLs stay blocked: only the bucket policy makes objects public.
  EXPECT_EQ(props["PublicAccessBlockConfiguration"]["BlockPublicAcls"], true);
  EXPECT_EQ(props["PublicAccessBlockConfiguration"]["BlockPublicPolicy"], false);
  const json& statement = r["SiteBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0];
  EXPECT_EQ(statement["Action"], "s3:GetObject");
  EXPECT_EQ(statement["Resource"]["Fn::Sub"], "${SiteBucket.Arn}/*");
  EXPECT_EQ(t["Outputs"]["SiteBucketWebsite"]["Value"]["Fn::GetAtt"],
            json({"SiteBucket", "WebsiteURL"}));
  EXPECT_FALSE(r.contains("PrivateBucketPolicy"));
  EXPECT_EQ(r["PrivateBucket"]["Properties"]["PublicAccessBlockConfiguration"]["BlockPublicPolicy"],
            true);
}

}  // namespace pareto::testing_support
