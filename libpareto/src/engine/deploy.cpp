// Deploys: the code archive and nested templates uploaded, a change set made and reviewed (the
// stateful guard, widened IAM statements), executed with live progress, and the outputs; diff,
// outputs and destroy.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <set>

#include "engine/build.hpp"
#include "engine/command.hpp"
#include "engine/files.hpp"
#include "engine/moto.hpp"
#include "render/table.hpp"
#include "render/template.hpp"

namespace pareto::engine {

namespace {

constexpr size_t kTemplateBodyLimit = 51'200;
constexpr std::string_view kChangeSetPrefix = "pareto-";
// A replacement of a resource with one of these set makes the new one under the same name,
// which CloudFormation refuses half-way through the update.
const std::set<std::string, std::less<>> kNameProperties = {
    "TableName", "BucketName", "QueueName", "TopicName", "UserPoolName", "FunctionName",
    "RoleName", "Name", "StateMachineName", "LogGroupName", "ProjectName", "RestApiName"};
const std::set<std::string, std::less<>> kIamTypes = {"AWS::IAM::Role", "AWS::IAM::Policy",
                                                      "AWS::IAM::ManagedPolicy"};
const json kCapabilities = {"CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"};

struct Change {
  std::string logical_id, type, action;
  std::string replacement;  // True | False | Conditional | "" (not a modification)
  bool replaces_state() const {
    return holds_data(type) && (replacement == "True" || replacement == "Conditional");
  }
};

struct ChangeSet {
  std::string id;  // "": nothing to change
  std::string name;  // pareto-<ms>: also the token that makes retried calls on it safe
  std::string stack_type;  // CREATE | UPDATE
  std::vector<Change> changes;
  std::vector<std::string> widened;  // IAM statements an update adds, "LogicalId: statement"
};

// (logical id, canonical statement) of every IAM statement of the template's roles and policies.
std::set<std::string> iam_statements(const json& templ) {
  std::set<std::string> found;
  const json resources = templ.value("Resources", json::object());
  for (const auto& [id, resource] : resources.items()) {
    if (!kIamTypes.count(resource.value("Type", ""))) continue;
    json properties = resource.value("Properties", json::object());
    std::vector<json> documents;
    for (const auto& policy : properties.value("Policies", json::array()))
      documents.push_back(policy.value("PolicyDocument", json::object()));
    documents.push_back(properties.value("PolicyDocument", json::object()));
    for (const auto& document : documents) {
      json statements = document.value("Statement", json::array());
      if (!statements.is_array()) statements = json::array({statements});
      for (const auto& statement : statements) found.insert(id + ": " + statement.dump());
    }
  }
  return found;
}

// A parent and its nested stacks' templates as one (logical ids are unique across them).
json merged(const std::vector<json>& templates) {
  json resources = json::object();
  for (const auto& t : templates) resources.update(t.value("Resources", json::object()));
  return {{"Resources", resources}};
}

std::vector<std::string> widened_statements(const json& deployed, const json& next) {
  std::set<std::string> before = iam_statements(deployed);
  std::vector<std::string> out;
  for (const auto& statement : iam_statements(next))
    if (!before.count(statement)) out.push_back(statement);
  return out;
}

Task<json> template_of(Session& session, std::string stack) {
  json answer = co_await session.call("cloudformation", "GetTemplate", "StackName", stack);
  json parsed = json::parse(answer.value("TemplateBody", ""), nullptr, false);
  co_return parsed.is_object() ? parsed : json::object();  // YAML or broken: nothing to compare
}

// A resource of the deployed stack.
struct DeployedResource {
  std::string logical_id, type, physical_id;
  bool retained = false;  // DeletionPolicy Retain: it outlives its stack
};

// The stack as deployed: its templates (the parent's and each nested stack's), where each
// resource is ("" the parent's own, else its nested stack's logical id), and the resources.
struct Deployed {
  std::vector<std::string> stacks;  // the parent's name, then each nested stack's
  std::vector<json> templates;
  json placement = json::object();
  std::vector<DeployedResource> resources;
  // What the parent's own events count: its resources and nested stacks.
  size_t parent_resources() const {
    size_t own = 0;
    for (const auto& [_, stack] : placement.items()) own += stack.get<std::string>().empty();
    return own + templates.size() - 1;
  }
  std::vector<DeployedResource> data() const {
    std::vector<DeployedResource> out;
    for (const auto& r : resources)
      if (holds_data(r.type)) out.push_back(r);
    return out;
  }
};

Task<Deployed> read_deployed(Session& session, std::string stack) {
  Deployed out;
  std::vector<std::pair<std::string, std::string>> stacks{{"", stack}};  // (logical id, name)
  for (size_t i = 0; i < stacks.size(); ++i) {
    auto [held_in, name] = stacks[i];
    out.stacks.push_back(name);
    json templ = co_await template_of(session, name);
    json resources = co_await stack_resources(session, name);
    json defined = templ.value("Resources", json::object());
    for (const auto& r : resources) {
      DeployedResource resource{r.value("LogicalResourceId", ""), r.value("ResourceType", ""),
                                r.value("PhysicalResourceId", "")};
      if (resource.type == kNestedStackType && i == 0 && !resource.physical_id.empty()) {
        stacks.emplace_back(resource.logical_id, resource.physical_id);
        continue;
      }
      const json definition = defined.value(resource.logical_id, json::object());
      resource.retained = definition.value("DeletionPolicy", "") == "Retain";
      out.placement[resource.logical_id] = held_in;
      out.resources.push_back(std::move(resource));
    }
    out.templates.push_back(std::move(templ));
  }
  co_return out;
}

// Uploads unless the key is there already: keys are content hashes.
Task<void> upload_once(Session& session, std::string bucket, std::string key, std::string bytes) {
  bool present = true;
  try {
    json head = {{"Bucket", bucket}, {"Key", key}};
    co_await session.call("s3", "HeadObject", head);
  } catch (const AwsError& error) {
    if (!error.missing() && error.status != 403) throw;
    present = false;
  }
  if (present) {
    co_await session.err(fmt::format("s3://{}/{} is up to date\n", bucket, key));
    co_return;
  }
  co_await session.upload(bucket, key, bytes);
  co_await session.err(fmt::format("uploaded s3://{}/{} ({} bytes)\n", bucket, key,
                                   thousands(bytes.size())));
}

// Every page of a change set's changes, once it is no longer being made.
Task<json> settled_change_set(Session& session, const Target& target, std::string id) {
  for (;;) {
    json described = co_await session.call("cloudformation", "DescribeChangeSet", "ChangeSetName", id);
    std::string status = described.value("Status", "");
    if (status == "CREATE_COMPLETE" || status == "FAILED") {
      json changes = described.value("Changes", json::array());
      json page = described;
      while (page.contains("NextToken") && page["NextToken"].is_string()) {
        json next = {{"ChangeSetName", id}, {"NextToken", page["NextToken"]}};
        page = co_await session.call("cloudformation", "DescribeChangeSet", next);
        for (auto& change : page.value("Changes", json::array())) changes.push_back(change);
      }
      described["Changes"] = changes;
      co_return described;
    }
    co_await session.wait(target.poll_ms);
  }
}

// The stack's events, oldest first; [] once it is gone.
Task<json> stack_events(Session& session, std::string stack) {
  json events = json::array();
  try {
    json request = {{"StackName", stack}};
    events = co_await session.paginate("cloudformation", "DescribeStackEvents", request,
                                       "StackEvents");
  } catch (const AwsError& error) {
    if (!error.missing()) throw;
  }
  std::reverse(events.begin(), events.end());
  co_return events;
}

Task<std::string> latest_event_id(Session& session, std::string stack) {
  json events = co_await stack_events(session, stack);
  co_return events.empty() ? std::string() : events.back().value("EventId", "");
}

// Prints each new event as it happens, with resources done out of total, until the stack
// settles; stops with the reasons unless it settled as `expected`.
Task<void> follow(Session& session, const Target& target, std::string since, size_t total,
                  std::string expected) {
  std::set<std::string> seen, done;
  std::vector<std::string> failures;
  bool started = since.empty();
  std::string status;
  std::optional<json> stack;
  for (;;) {
    json events = co_await stack_events(session, target.stack);
    for (const auto& event : events) {
      std::string id = event.value("EventId", "");
      if (!started) {
        started = id == since;
        continue;
      }
      if (!seen.insert(id).second) continue;
      std::string resource_status = event.value("ResourceStatus", "");
      std::string logical_id = event.value("LogicalResourceId", "");
      std::string type = event.value("ResourceType", "");
      if (resource_status.ends_with("_COMPLETE") && type != kNestedStackType) done.insert(logical_id);
      std::string reason = event.value("ResourceStatusReason", "");
      if (resource_status.ends_with("_FAILED"))
        failures.push_back(fmt::format("{} ({}): {}", logical_id, type, reason));
      std::string line = fmt::format("[{:>3}/{}] {:<28} {} {} {}", done.size(), total,
                                     resource_status, logical_id, type, reason);
      while (!line.empty() && line.back() == ' ') line.pop_back();
      co_await session.err(line + "\n");
    }
    stack = co_await describe_stack(session, target.stack);
    status = stack ? stack->value("StackStatus", "") : "DELETE_COMPLETE";
    if ((status.ends_with("_COMPLETE") || status.ends_with("_FAILED")) &&
        !status.ends_with("CLEANUP_COMPLETE"))
      break;
    co_await session.wait(target.poll_ms);
  }
  if (status == expected) {
    co_await session.err(fmt::format("{}: {}\n", target.stack, status));
    co_return;
  }
  for (const auto& failure : failures) co_await session.err(fmt::format("failed: {}\n", failure));
  std::string reason = stack ? stack->value("StackStatusReason", "") : "";
  throw Stop(fmt::format("{} is {}{}", target.stack, status, reason.empty() ? "" : ": " + reason));
}

// Empties a bucket, every version and delete marker (1,000 keys per call, as S3 takes them).
Task<void> empty_bucket(Session& session, std::string bucket) {
  json params = {{"Bucket", bucket}};
  for (;;) {
    json page;
    try {
      page = co_await session.call("s3", "ListObjectVersions", params);
    } catch (const AwsError& error) {
      if (error.code != "NoSuchBucket") throw;
      co_return;
    }
    json objects = json::array();
    for (const char* list : {"Versions", "DeleteMarkers"})
      for (const auto& o : page.value(list, json::array()))
        objects.push_back({{"Key", o.value("Key", "")}, {"VersionId", o.value("VersionId", "null")}});
    if (!objects.empty()) {
      json request = {{"Bucket", bucket}, {"Delete", {{"Objects", objects}, {"Quiet", true}}}};
      co_await session.call("s3", "DeleteObjects", request);
      co_await session.err(fmt::format("emptied {} objects from {}\n", objects.size(), bucket));
    }
    if (!page.value("IsTruncated", false)) co_return;
    params["KeyMarker"] = page.value("NextKeyMarker", "");
    params["VersionIdMarker"] = page.value("NextVersionIdMarker", "");
  }
}

// Deletes the stack (as `deployed` read it) and follows it; its buckets that are not retained
// are emptied first, as CloudFormation deletes only empty ones.
Task<void> delete_stack(Session& session, const Target& target, const Deployed& deployed) {
  for (const auto& r : deployed.resources)
    if (r.type == "AWS::S3::Bucket" && !r.retained && !r.physical_id.empty())
      co_await empty_bucket(session, r.physical_id);
  std::string since = co_await latest_event_id(session, target.stack);
  co_await session.call("cloudformation", "DeleteStack", "StackName", target.stack);
  session.standing(fmt::format("CloudFormation goes on deleting {} without pareto", target.stack));
  co_await follow(session, target, since, deployed.parent_resources(), "DELETE_COMPLETE");
  session.standing("");
}

bool yes(const json& answer) { return answer.is_boolean() && answer.get<bool>(); }

// The user's yes to `question`: --yes, or asked on a terminal; without either, stops saying
// what needs it.
Task<void> agree(Context& cx, std::string question, std::string needs_it) {
  if (cx.options.yes) co_return;
  if (!cx.session.facts().interactive)
    throw Stop(needs_it + ": pass --yes to do it without a terminal to ask on");
  json answer = co_await cx.session.ask(question);
  if (!yes(answer)) throw Stop("cancelled");
}

// The command line that picks up from here: "`pareto events APP --stage S`".
std::string follow_up(const Context& cx, std::string_view command) {
  return fmt::format("`pareto {} {} --stage {}`", command, cx.options.app_path, cx.target.stage);
}

std::string status_of(const std::optional<json>& stack) {
  return stack ? stack->value("StackStatus", "") : "";
}

// Another operation runs on the stack (a change set waiting for review does not count).
bool in_progress(std::string_view status) {
  return status.ends_with("_IN_PROGRESS") && status != "REVIEW_IN_PROGRESS";
}

constexpr int64_t kSettleLimitMs = 7'200'000;  // two hours: CloudFront and RDS updates take one

// The stack once no other deploy or destroy runs on it: waits while one does (saying so), or
// with --no-wait refuses; nullopt when there is none.
Task<std::optional<json>> settled_stack(Context& cx) {
  Session& session = cx.session;
  const Target& target = cx.target;
  std::optional<json> stack = co_await describe_stack(session, target.stack);
  const int64_t started = session.now_ms();
  std::string waited_on;
  while (in_progress(status_of(stack))) {
    std::string status = status_of(stack);
    std::string how = follow_up(cx, "events") + " shows it";
    if (cx.options.no_wait)
      throw Stop(fmt::format("refused, nothing changed: {} is {}, as another deploy or destroy "
                             "runs on it; {}, and running this again once it ends goes on from there",
                             target.stack, status, how));
    if (session.now_ms() - started > kSettleLimitMs)
      throw Stop(fmt::format("{} is still {} after two hours of waiting; {}", target.stack,
                             status, how));
    if (status != waited_on) {
      std::string line = fmt::format("{} is {}: another deploy or destroy runs on it; waiting for "
                                     "it to end ({}; --no-wait refuses instead)\n",
                                     target.stack, status, how);
      co_await session.err(line);
      waited_on = status;
    }
    co_await session.wait(target.poll_ms);
    stack = co_await describe_stack(session, target.stack);
  }
  if (!waited_on.empty()) {
    std::string line = fmt::format("{} is {}: going on\n", target.stack,
                                   stack ? status_of(stack) : "gone");
    co_await session.err(line);
  }
  co_return stack;
}

// What to do with a stack left in a state no change set can start from.
const std::map<std::string, std::string, std::less<>> kStuck = {
    {"ROLLBACK_FAILED", "its failed create could not be rolled back: `pareto destroy` deletes it "
                        "once what blocked the rollback is mended"},
    {"DELETE_FAILED", "it could not be deleted, and can only be deleted now: `pareto destroy` "
                      "tries again once what blocked it is mended"},
    {"UPDATE_FAILED", "its last update failed with rollback turned off: roll it back in the "
                      "CloudFormation console, then deploy"},
    {"CREATE_FAILED", "its create failed with rollback turned off: `pareto destroy` deletes it"},
    {"IMPORT_ROLLBACK_FAILED", "an import's rollback failed: mend what the events name, then "
                               "deploy"}};

// What a deploy does first to a stack left as `what` says, with the user's yes; a diff, which
// changes nothing, stops saying so.
Task<void> repair(Context& cx, bool deploying, std::string what, std::string deploy_does) {
  if (!deploying)
    throw Stop(fmt::format("{}: the next deploy {} first, with your yes", what, deploy_does));
  std::string question = fmt::format("{}: the deploy {} first. Go on?", what, deploy_does);
  std::string needs_it = fmt::format("{}, and the deploy {} first", what, deploy_does);
  co_await agree(cx, question, needs_it);
}

// The stack as a deploy or a diff (`deploying` false: it changes nothing) can start from:
// nullopt when there is none (REVIEW_IN_PROGRESS: only a change set's placeholder). With the
// user's yes, a deploy first deletes a stack whose create failed (ROLLBACK_COMPLETE), and
// finishes a rollback that failed (UPDATE_ROLLBACK_FAILED, ContinueUpdateRollback).
Task<std::optional<json>> ready_stack(Context& cx, bool deploying) {
  Session& session = cx.session;
  const Target& target = cx.target;
  std::optional<json> stack = co_await settled_stack(cx);
  std::string status = status_of(stack);
  std::string reason = stack ? stack->value("StackStatusReason", "") : "";
  std::string why = reason.empty() ? "" : " (" + reason + ")";
  if (status == "ROLLBACK_COMPLETE") {
    std::string what = fmt::format("{} failed to create and was rolled back (ROLLBACK_COMPLETE){}; "
                                   "CloudFormation can only delete it", target.stack, why);
    co_await repair(cx, deploying, what, "deletes it");
    co_await session.err(fmt::format("{} failed to create before: deleting it first\n", target.stack));
    Deployed failed = co_await read_deployed(session, target.stack);
    co_await delete_stack(session, target, failed);
    co_return std::nullopt;
  }
  if (status == "UPDATE_ROLLBACK_FAILED") {
    std::string what = fmt::format("{}'s last update failed and so did its rollback "
                                   "(UPDATE_ROLLBACK_FAILED){}", target.stack, why);
    co_await repair(cx, deploying, what, "continues the rollback");
    std::string since = co_await latest_event_id(session, target.stack);
    co_await session.call("cloudformation", "ContinueUpdateRollback", "StackName", target.stack);
    session.standing(fmt::format("CloudFormation goes on rolling {} back without pareto; the next "
                                 "deploy waits for it", target.stack));
    json resources = co_await stack_resources(session, target.stack);  // its own and nested stacks
    co_await follow(session, target, since, resources.size(), "UPDATE_ROLLBACK_COMPLETE");
    session.standing("");
    stack = co_await describe_stack(session, target.stack);
    co_return stack;
  }
  if (auto stuck = kStuck.find(status); stuck != kStuck.end())
    throw Stop(fmt::format("{} is {}{}: {}", target.stack, status, why, stuck->second));
  co_return stack;
}

constexpr int64_t kStaleChangeSetMs = 3'600'000;

// Deletes the change sets earlier deploys made and left unexecuted (interrupted or refused
// half-way) an hour ago or more: a deploy reviewing its own now keeps it.
Task<void> delete_stale_change_sets(Session& session, const Target& target) {
  json request = {{"StackName", target.stack}};
  json summaries = co_await session.paginate("cloudformation", "ListChangeSets", request, "Summaries");
  for (const auto& summary : summaries) {
    std::string name = summary.value("ChangeSetName", "");
    std::string execution = summary.value("ExecutionStatus", "");
    std::optional<int64_t> created = epoch_ms(summary.value("CreationTime", json()));
    if (!name.starts_with(kChangeSetPrefix) ||
        (execution != "AVAILABLE" && execution != "UNAVAILABLE") || !created ||
        session.now_ms() - *created < kStaleChangeSetMs)
      continue;  // not ours, executed, or too young (or of an unknown age) to be left over
    std::string id = summary.value("ChangeSetId", name);
    co_await session.call("cloudformation", "DeleteChangeSet", "ChangeSetName", id);
    co_await session.err(fmt::format("deleted the change set {} an earlier deploy left\n", name));
  }
}

constexpr int64_t kDriftLimitMs = 600'000;  // ten minutes

// What was changed by hand in the deployed stacks (the parent and each nested one), by logical
// id: "modified: Properties.X, Properties.Y" or "deleted". Empty on the emulator (moto detects
// no drift) and with --no-drift-check; a detection that cannot run is said and skipped.
Task<std::map<std::string, std::string>> drifted(Context& cx, const Deployed& deployed) {
  std::map<std::string, std::string> out;
  Session& session = cx.session;
  if (cx.target.local || cx.options.no_drift_check) co_return out;
  // Every stack's detection runs at once: started all, then polled together.
  std::map<std::string, std::string> detecting, failed;  // stack -> detection id, or why not
  std::vector<std::string> drifted_stacks;
  for (const auto& stack : deployed.stacks) {
    try {
      json detect = co_await session.call("cloudformation", "DetectStackDrift", "StackName", stack);
      detecting[stack] = detect.value("StackDriftDetectionId", "");
    } catch (const AwsError& error) {
      failed[stack] = error.said();
    }
  }
  const int64_t started = session.now_ms();
  while (!detecting.empty()) {
    std::map<std::string, std::string> pending;
    for (const auto& [stack, id] : detecting) {
      json detection;
      try {
        detection = co_await session.call("cloudformation", "DescribeStackDriftDetectionStatus",
                                          "StackDriftDetectionId", id);
      } catch (const AwsError& error) {
        failed[stack] = error.said();
        continue;
      }
      std::string status = detection.value("DetectionStatus", "");
      if (status == "DETECTION_IN_PROGRESS")
        pending[stack] = id;
      else if (status == "DETECTION_FAILED")
        failed[stack] = detection.value("DetectionStatusReason", status);
      else if (detection.value("StackDriftStatus", "") == "DRIFTED")
        drifted_stacks.push_back(stack);
    }
    detecting = std::move(pending);
    if (detecting.empty()) break;
    if (session.now_ms() - started > kDriftLimitMs) {
      for (const auto& [stack, _] : detecting) failed[stack] = "still detecting after 10 minutes";
      break;
    }
    co_await session.wait(cx.target.poll_ms);
  }
  for (const auto& [stack, why] : failed) {
    std::string line = fmt::format("drift: not checked for {}: {} (--no-drift-check skips it)\n",
                                   stack, why);
    co_await session.err(line);
  }
  for (const auto& stack : drifted_stacks) {
    json request = {{"StackName", stack}, {"StackResourceDriftStatusFilters", {"MODIFIED", "DELETED"}}};
    json drifts = co_await session.paginate("cloudformation", "DescribeStackResourceDrifts",
                                            request, "StackResourceDrifts");
    for (const auto& drift : drifts) {
      std::vector<std::string> paths;
      for (const auto& difference : drift.value("PropertyDifferences", json::array()))
        paths.push_back(difference.value("PropertyPath", ""));
      std::string status = drift.value("StackResourceDriftStatus", "");
      out[drift.value("LogicalResourceId", "")] =
          status == "DELETED" ? "deleted"
                              : fmt::format("modified: {}", fmt::join(paths, ", "));
    }
  }
  co_return out;
}

// TemplateBody when it is small enough, else TemplateURL of a copy in the bucket.
Task<json> template_argument(Session& session, const Target& target, std::string bucket,
                             std::string text) {
  json argument = json::object();
  if (text.size() <= kTemplateBodyLimit) {
    argument["TemplateBody"] = text;
    co_return argument;
  }
  std::string key = fmt::format("pareto/{}/templates/{}.json", target.app, sha256_hex(text));
  co_await upload_once(session, bucket, key, text);
  argument["TemplateURL"] = fmt::format("https://{}.s3.{}.amazonaws.com/{}", bucket, target.region, key);
  co_return argument;
}

// The stack's tags: the app's (the template's pareto metadata), and pareto:app.
json stack_tags(const json& templ, const std::string& app) {
  json tags = json::array({{{"Key", "pareto:app"}, {"Value", app}}});
  const json own = templ.value("Metadata", json::object()).value("pareto", json::object())
                       .value("stack-tags", json::object());
  for (const auto& [key, value] : own.items()) tags.push_back({{"Key", key}, {"Value", value}});
  return tags;
}

Firing firing(const Target& target, bool root) {
  if (!target.dev) return Firing::moto;
  return root ? Firing::pareto_root : Firing::pareto_nested;
}

// A template as it is deployed to the target: on moto, without what moto cannot make.
std::string adapted_for(const Target& target, const std::string& text, bool root) {
  if (!target.local) return text;
  return adapt_for_moto(nlohmann::ordered_json::parse(text), firing(target, root)).templ.dump(2);
}

// The same, with what the compatibility pass changed said; for the root, what moto leaves to
// the APIs to `through_api`.
Task<std::string> for_target(Session& session, const Target& target, std::string text,
                             ThroughApi* through_api) {
  if (!target.local) co_return text;
  Adapted adapted =
      adapt_for_moto(nlohmann::ordered_json::parse(text), firing(target, through_api != nullptr));
  for (const auto& change : adapted.changes) co_await session.err("local: " + change + "\n");
  if (through_api) *through_api = adapted.through_api;
  co_return adapted.templ.dump(2);
}

struct Prepared {
  ChangeSet change_set;
  std::optional<Deployed> deployed;  // an update's stack as it is
  ThroughApi through_api;            // local mode: what moto's CloudFormation leaves undone
  json templates = json::object();   // the new templates' resources, merged
  std::map<std::string, std::string> drift;  // changed by hand since the last deploy (drifted)
};

// What a refusal lists: every error of the placed app, one per line.
std::string error_lines(const App& app) {
  std::string out;
  for (const auto& e : json::parse(app.errors()))
    out += fmt::format("\n  {}: {}", e.value("path", "").empty() ? "/" : e.value("path", ""),
                       e.value("message", ""));
  return out;
}

App placed_for(const App& app, const std::optional<Deployed>& deployed) {
  if (!deployed) return App::borrow(app.get());
  App placed = app.place(deployed->placement.dump());
  if (!placed.valid())
    throw Stop(fmt::format("the deployed stacks cannot take the app as it is now:{}",
                           error_lines(placed)));
  return placed;
}

// The deployed stack, unless there is none (or it is only a change set's placeholder).
Task<std::optional<Deployed>> deployed_stack(Session& session, const Target& target) {
  std::optional<json> stack = co_await describe_stack(session, target.stack);
  if (!stack || stack->value("StackStatus", "") == "REVIEW_IN_PROGRESS") co_return std::nullopt;
  Deployed deployed = co_await read_deployed(session, target.stack);
  co_return deployed;
}

// Every change of a change set, its nested stacks' included (IncludeNestedStacks gives each
// nested stack's change set).
Task<std::vector<Change>> changes_of(Session& session, const Target& target, json described) {
  std::vector<Change> out;
  for (const auto& c : described["Changes"]) {
    json change = c.value("ResourceChange", json::object());
    std::string action = change.value("Action", "");
    std::string type = change.value("ResourceType", "");
    std::string nested = change.value("ChangeSetId", "");
    if (type == kNestedStackType && !nested.empty()) {
      json inner = co_await settled_change_set(session, target, nested);
      std::vector<Change> more = co_await changes_of(session, target, inner);
      out.insert(out.end(), more.begin(), more.end());
      continue;
    }
    out.push_back({change.value("LogicalResourceId", ""), type, action,
                   action == "Modify" ? change.value("Replacement", "") : ""});
  }
  co_return out;
}

// What a deploy passes its stack: the stage and the artifacts bucket, then --parameter's.
std::vector<std::pair<std::string, std::string>> stack_parameters(const Context& cx,
                                                                  const std::string& bucket) {
  std::vector<std::pair<std::string, std::string>> out = {{"StageName", cx.target.stage},
                                                          {"ArtifactsBucket", bucket}};
  out.insert(out.end(), cx.options.parameters.begin(), cx.options.parameters.end());
  return out;
}

Task<void> upload_archives(Session& session, const std::string& bucket,
                           const std::vector<Built>& archives) {
  for (const auto& built : archives) co_await upload_once(session, bucket, built.key, built.data);
}

// Uploads the code archives (`archives`; none for a diff, whose change set needs none) and the
// nested templates, and makes the change set of the app, its stacks placed as they are deployed.
Task<Prepared> prepare(Context& cx, const std::vector<Built>* archives) {
  Session& session = cx.session;
  const Target& target = cx.target;
  Prepared out;
  const bool deploying = archives != nullptr;
  std::optional<json> stack = co_await ready_stack(cx, deploying);
  if (stack && deploying) co_await delete_stale_change_sets(session, target);
  std::string stack_type = stack && status_of(stack) != "REVIEW_IN_PROGRESS" ? "UPDATE" : "CREATE";
  if (stack_type == "UPDATE") {
    out.deployed = co_await read_deployed(session, target.stack);
    out.drift = co_await drifted(cx, *out.deployed);
    for (const auto& [id, drift] : out.drift)
      co_await session.err(fmt::format("drift: {} was changed outside pareto ({})\n", id, drift));
  }
  App app = placed_for(cx.app, out.deployed);

  std::string bucket = co_await artifacts_bucket(session, target, true);
  if (archives) co_await upload_archives(session, bucket, *archives);
  std::vector<json> templates;  // the parent's and each nested stack's
  json nested_stacks = json::parse(app.nested_stacks());
  for (const auto& nested : nested_stacks) {
    std::string text = co_await for_target(session, target, nested["template"], nullptr);
    co_await upload_once(session, bucket, nested["key"], text);
    templates.push_back(json::parse(text));
  }
  std::string text = co_await for_target(session, target, app.synth(), &out.through_api);
  templates.insert(templates.begin(), json::parse(text));
  out.templates = merged(templates)["Resources"];

  json parameters = json::array();
  for (const auto& [name, value] : stack_parameters(cx, bucket))
    parameters.push_back({{"ParameterKey", name}, {"ParameterValue", value}});
  const std::string name = fmt::format("{}{}", kChangeSetPrefix, session.now_ms());
  json request = {{"StackName", target.stack},
                  {"ChangeSetName", name},
                  {"ClientToken", name},
                  {"ChangeSetType", stack_type},
                  {"Capabilities", kCapabilities},
                  {"Parameters", parameters},
                  {"Tags", stack_tags(json::parse(text), target.app)}};
  if (!nested_stacks.empty()) request["IncludeNestedStacks"] = true;
  json body = co_await template_argument(session, target, bucket, text);
  request.update(body);
  json created = co_await session.call("cloudformation", "CreateChangeSet", request);
  std::string id = created.value("Id", "");
  session.standing(fmt::format("nothing was deployed: the change set {} is left on {} unexecuted, "
                               "and a deploy an hour on or more deletes it", name, target.stack));
  json described = co_await settled_change_set(session, target, id);
  out.change_set.stack_type = stack_type;
  if (described.value("Status", "") == "FAILED") {
    std::string reason = described.value("StatusReason", "");
    co_await session.call("cloudformation", "DeleteChangeSet", "ChangeSetName", id);
    session.standing("");
    if (reason.find("didn't contain changes") != std::string::npos ||
        reason.find("No updates are to be performed") != std::string::npos)
      co_return out;
    throw Stop(fmt::format("the change set failed: {}", reason));
  }
  out.change_set.id = id;
  out.change_set.name = name;
  out.change_set.changes = co_await changes_of(session, target, described);
  if (out.deployed)
    out.change_set.widened = widened_statements(merged(out.deployed->templates), merged(templates));
  co_return out;
}

// Deletes an unexecuted change set, and the empty stack a CREATE one made.
Task<void> discard(Session& session, const Target& target, const ChangeSet& change_set) {
  if (change_set.id.empty()) co_return;
  co_await session.call("cloudformation", "DeleteChangeSet", "ChangeSetName", change_set.id);
  if (change_set.stack_type == "CREATE")
    co_await session.call("cloudformation", "DeleteStack", "StackName", target.stack);
}

Task<void> show(Session& session, const ChangeSet& change_set) {
  if (change_set.id.empty()) {
    co_await session.err("no changes\n");
    co_return;
  }
  std::vector<std::vector<std::string>> rows{{"resource", "type", "action", "replacement"}};
  for (const auto& c : change_set.changes) {
    std::string replacement = c.replacement == "True"          ? "yes"
                              : c.replacement == "False"       ? "no"
                              : c.replacement == "Conditional" ? "conditional"
                                                               : "";
    if (c.replaces_state() || (c.action == "Remove" && holds_data(c.type)))
      replacement += replacement.empty() ? "(holds data)" : " (holds data)";
    rows.push_back({c.logical_id, c.type, c.action, replacement});
  }
  co_await session.err("changes\n" + text_table(rows, "llll"));
  for (const auto& statement : change_set.widened)
    co_await session.err(fmt::format("IAM widens: {}\n", statement));
}

Task<json> stack_outputs(Session& session, const Target& target) {
  json stack = co_await require_stack(session, target.stack);
  json outputs = json::object();
  for (const auto& o : stack.value("Outputs", json::array()))
    outputs[o.value("OutputKey", "")] = o.value("OutputValue", "");
  // Nested stacks hold their components' outputs (described ones; the rest pass values between
  // the stacks).
  std::vector<std::string> nested = co_await nested_stacks(session, target.stack);
  for (const auto& name : nested) {
    json described = co_await require_stack(session, name);
    for (const auto& o : described.value("Outputs", json::array()))
      if (!o.value("Description", "").empty())
        outputs[o.value("OutputKey", "")] = o.value("OutputValue", "");
  }
  co_return outputs;
}

Task<int> print_outputs(Context& cx, const json& outputs) {
  for (const auto& [key, value] : outputs.items())
    co_await cx.session.out(fmt::format("{} = {}\n", key, value.get<std::string>()));
  if (!cx.options.outputs_file.empty() &&
      !write_atomically(cx.options.outputs_file, outputs.dump(2) + "\n"))
    throw Stop(fmt::format("cannot write {}", cx.options.outputs_file));
  co_return 0;
}

// What a table, bucket, queue or pool holds, where that is cheap to learn: "3 items",
// "1,000 or more objects"; "" when it cannot be read.
Task<std::string> contents_of(Session& session, DeployedResource resource) {
  constexpr int kCounted = 1000;
  auto counted = [](int64_t count, bool more, std::string_view what) {
    return fmt::format("{}{} {}{}", thousands(static_cast<size_t>(count)), more ? " or more" : "",
                       what, count == 1 && !more ? "" : "s");
  };
  try {
    if (resource.type == "AWS::DynamoDB::Table") {
      json request = {{"TableName", resource.physical_id}, {"Select", "COUNT"}, {"Limit", kCounted}};
      json page = co_await session.call("dynamodb", "Scan", request);
      co_return counted(page.value("Count", 0), page.contains("LastEvaluatedKey"), "item");
    }
    if (resource.type == "AWS::S3::Bucket") {
      json request = {{"Bucket", resource.physical_id}, {"MaxKeys", kCounted}};
      json page = co_await session.call("s3", "ListObjectsV2", request);
      co_return counted(page.value("KeyCount", 0), page.value("IsTruncated", false), "object");
    }
    if (resource.type == "AWS::SQS::Queue") {
      json request = {{"QueueUrl", resource.physical_id},
                      {"AttributeNames", {"ApproximateNumberOfMessages"}}};
      json answer = co_await session.call("sqs", "GetQueueAttributes", request);
      std::string messages = answer.value("Attributes", json::object())
                                 .value("ApproximateNumberOfMessages", "0");
      co_return fmt::format("about {} messages", messages);
    }
    if (resource.type == "AWS::Cognito::UserPool") {
      json answer = co_await session.call("cognito-idp", "DescribeUserPool", "UserPoolId",
                                          resource.physical_id);
      int64_t users = answer.value("UserPool", json::object()).value("EstimatedNumberOfUsers", 0);
      co_return fmt::format("about {} users", thousands(static_cast<size_t>(users)));
    }
    if (resource.type == "AWS::SecretsManager::Secret") co_return std::string("a secret value");
  } catch (const AwsError&) {
  }
  co_return std::string();
}

std::string described(const DeployedResource& r, const std::string& contents) {
  std::string name = r.physical_id.empty() ? "" : " " + r.physical_id;
  return fmt::format("{} ({}{}){}", r.logical_id, r.type, name, contents.empty() ? "" : ": " + contents);
}

// After how many days a lifecycle rule deletes objects (from their creation) or noncurrent
// versions (from when they stop being current): nullopt when it deletes none, 0 for a date or an
// intrinsic (possibly at once, as far as a deploy can tell).
std::optional<int64_t> expiry_days(const json& rule, bool noncurrent) {
  if (rule.value("Status", "") != "Enabled") return std::nullopt;
  const json days = noncurrent ? rule.value("NoncurrentVersionExpiration", json::object())
                                     .value("NoncurrentDays", json())
                               : rule.value("ExpirationInDays", json());
  if (days.is_number_integer()) return days.get<int64_t>();
  if (!days.is_null() || (!noncurrent && rule.contains("ExpirationDate"))) return 0;
  return std::nullopt;
}

std::string rule_prefix(const json& rule) {
  return text_of(
      rule.value("Prefix", rule.value("Filter", json::object()).value("Prefix", json(""))));
}

// What a deployed table or bucket would start deleting by itself once defined as `after`: time
// to live turned on or moved to another attribute, or an expiry that no rule of `before` set as
// soon for those objects. "" when nothing.
std::string newly_expiring(const json& before, const json& after) {
  const json was = before.value("Properties", json::object());
  const json will = after.value("Properties", json::object());
  if (after.value("Type", "") == "AWS::DynamoDB::Table") {
    auto ttl = [](const json& properties) {
      const json spec = properties.value("TimeToLiveSpecification", json::object());
      return spec.value("Enabled", json(false)) == true
                 ? text_of(spec.value("AttributeName", json("")))
                 : "";
    };
    std::string attribute = ttl(will);
    if (attribute.empty() || attribute == ttl(was)) return "";
    return fmt::format("time to live on \"{0}\" deletes every item whose {0} has passed",
                       attribute);
  }
  if (after.value("Type", "") != "AWS::S3::Bucket") return "";
  auto rules = [](const json& properties) {
    return properties.value("LifecycleConfiguration", json::object()).value("Rules", json::array());
  };
  const json old_rules = rules(was);
  std::vector<std::string> out;
  for (const auto& rule : rules(will))
    for (bool noncurrent : {false, true}) {
      std::optional<int64_t> days = expiry_days(rule, noncurrent);
      if (!days) continue;
      std::string prefix = rule_prefix(rule);
      bool covered = std::any_of(old_rules.begin(), old_rules.end(), [&](const json& old) {
        std::optional<int64_t> old_days = expiry_days(old, noncurrent);
        return old_days && *old_days <= *days && prefix.rfind(rule_prefix(old), 0) == 0;
      });
      if (!covered)
        out.push_back(
            fmt::format("{}{} expire after {} days", noncurrent ? "noncurrent versions of " : "",
                        prefix.empty() ? "every object" : "the objects under " + prefix, *days));
    }
  return fmt::format("{}", fmt::join(out, "; "));
}

// Why the change set may not run: the deployed data it would remove or replace without the
// user's flag, and replacements CloudFormation would fail half-way. Empty: it may.
// The fixed name a table, bucket or secret the change adds would take, resolved for the target;
// "" when it is not one of those or does not resolve.
std::string fixed_name(const json& resource, const Target& target, const std::string& account) {
  static const std::map<std::string, std::string, std::less<>> kNameOf = {
      {"AWS::DynamoDB::Table", "TableName"}, {"AWS::S3::Bucket", "BucketName"},
      {"AWS::SecretsManager::Secret", "Name"}};
  auto property = kNameOf.find(resource.value("Type", ""));
  if (property == kNameOf.end()) return "";
  const json name = resource.value("Properties", json::object()).value(property->second, json());
  std::string text = name.is_string() ? name.get<std::string>()
                     : name.is_object() && name.contains("Fn::Sub") && name["Fn::Sub"].is_string()
                         ? name["Fn::Sub"].get<std::string>()
                         : "";
  const std::map<std::string, std::string> values = {
      {"StageName", target.stage}, {"AWS::AccountId", account}, {"AWS::Region", target.region}};
  for (const auto& [variable, value] : values)
    for (size_t at; (at = text.find("${" + variable + "}")) != std::string::npos;)
      text.replace(at, variable.size() + 3, value);
  return text.find("${") == std::string::npos ? text : "";
}

// Whether a table, bucket or secret of that name is there already.
Task<bool> exists(Session& session, std::string type, std::string name) {
  try {
    if (type == "AWS::DynamoDB::Table")
      co_await session.call("dynamodb", "DescribeTable", "TableName", name);
    else if (type == "AWS::S3::Bucket")
      co_await session.call("s3", "HeadBucket", "Bucket", name);
    else
      co_await session.call("secretsmanager", "DescribeSecret", "SecretId", name);
  } catch (const AwsError& error) {
    if (error.missing()) co_return false;
    if (error.status != 403) throw;  // another account's bucket: taken too
  }
  co_return true;
}

// What the change would add under a fixed name that is taken: a table, bucket or secret kept by
// an earlier destroy or removal (or another app's). CloudFormation would fail on it half-way.
Task<std::vector<std::string>> taken_names(Context& cx, const Prepared& prepared) {
  std::vector<std::string> out;
  std::string account;
  for (const auto& c : prepared.change_set.changes) {
    if (c.action != "Add" || !prepared.templates.contains(c.logical_id)) continue;
    const json& resource = prepared.templates[c.logical_id];
    if (resource.value("Type", "") == "AWS::S3::Bucket" && account.empty()) {
      json identity = co_await cx.session.call("sts", "GetCallerIdentity");
      account = identity.value("Account", "");
    }
    std::string name = fixed_name(resource, cx.target, account);
    if (name.empty()) continue;
    bool taken = co_await exists(cx.session, c.type, name);
    if (taken) out.push_back(fmt::format("  {} ({} {})", c.logical_id, c.type, name));
  }
  co_return out;
}

Task<std::string> refusal(Context& cx, const Prepared& prepared) {
  std::vector<std::string> taken = co_await taken_names(cx, prepared);
  std::string out;
  if (!taken.empty())
    out += fmt::format("\nthese names are taken, by what an earlier destroy or removal kept "
                       "(retained, with its data) or by another app:\n{}\nCloudFormation cannot "
                       "make them again under the same name: delete the old one once its data is "
                       "safe, or rename the component",
                       fmt::join(taken, "\n"));
  if (!prepared.deployed) co_return out.empty() ? out : "refused, nothing changed:" + out;
  std::map<std::string, DeployedResource> deployed;
  for (const auto& r : prepared.deployed->resources) deployed[r.logical_id] = r;
  const json origins = json::parse(cx.app.origins());
  std::vector<std::string> removed, replaced, fixed;
  const json before = merged(prepared.deployed->templates)["Resources"];
  for (const auto& r : prepared.deployed->data())
    if (!prepared.templates.contains(r.logical_id) && !cx.options.allow_delete) {
      std::string contents = co_await contents_of(cx.session, r);
      removed.push_back(fmt::format("  {}, no longer in pareto.yaml{}", described(r, contents),
                                    r.retained ? " (retained: it would stay in the account, "
                                                 "outside the stack)" : ""));
    }
  for (const auto& c : prepared.change_set.changes) {
    if (c.action != "Modify" || c.replacement.empty() || c.replacement == "False") continue;
    auto it = deployed.find(c.logical_id);
    DeployedResource r = it == deployed.end() ? DeployedResource{c.logical_id, c.type, ""} : it->second;
    std::string origin = origins.value(c.logical_id, "");
    std::string where = origin.empty() ? "" : fmt::format(" at {}", origin);
    const json properties = prepared.templates.value(c.logical_id, json::object())
                                .value("Properties", json::object());
    const json was = before.value(c.logical_id, json::object()).value("Properties", json::object());
    // The new one would take the deployed one's name (a queue turned FIFO takes another); a name
    // the deployed template does not show counts as the same.
    bool same_name =
        std::any_of(properties.items().begin(), properties.items().end(), [&](const auto& p) {
          return kNameProperties.count(p.key()) > 0 &&
                 (!was.contains(p.key()) || was[p.key()] == p.value());
        });
    if (c.replacement == "True" && same_name) {
      fixed.push_back(fmt::format("  {}{}", described(r, ""), where));
      continue;
    }
    if (c.replaces_state() && !cx.options.allow_replace) {
      std::string contents = co_await contents_of(cx.session, r);
      replaced.push_back(fmt::format("  {}{}", described(r, contents), where));
    }
  }
  std::vector<std::string> expiring;
  for (const auto& c : prepared.change_set.changes) {
    if (c.action != "Modify" || cx.options.allow_delete || !before.contains(c.logical_id)) continue;
    std::string why = newly_expiring(before[c.logical_id],
                                     prepared.templates.value(c.logical_id, json::object()));
    if (why.empty()) continue;
    auto it = deployed.find(c.logical_id);
    DeployedResource r =
        it == deployed.end() ? DeployedResource{c.logical_id, c.type, ""} : it->second;
    std::string contents = co_await contents_of(cx.session, r);
    std::string origin = origins.value(c.logical_id, "");
    expiring.push_back(fmt::format("  {}{}: {}", described(r, contents),
                                   origin.empty() ? "" : " at " + origin, why));
  }
  if (!removed.empty())
    out += fmt::format("\nthe change would remove what holds data from the stack:\n{}\npass "
                       "--allow-delete to remove them anyway",
                       fmt::join(removed, "\n"));
  if (!replaced.empty())
    out += fmt::format("\nthe change would replace what holds data, the new one empty:\n{}\npass "
                       "--allow-replace to replace them anyway",
                       fmt::join(replaced, "\n"));
  if (!expiring.empty())
    out += fmt::format(
        "\nthe change would have AWS delete data as it expires:\n{}\npass "
        "--allow-delete to deploy it anyway",
        fmt::join(expiring, "\n"));
  std::vector<std::string> overwritten;
  for (const auto& c : prepared.change_set.changes)
    if (auto drift = prepared.drift.find(c.logical_id);
        drift != prepared.drift.end() && c.action != "Add" && !cx.options.allow_drift)
      overwritten.push_back(fmt::format("  {} ({}), {}", c.logical_id, c.type, drift->second));
  if (!overwritten.empty())
    out += fmt::format("\nthe change would overwrite what was changed outside pareto since the "
                       "last deploy (drift):\n{}\nput the change in pareto.yaml (overrides: "
                       "reaches any property), or pass --allow-drift to deploy over it",
                       fmt::join(overwritten, "\n"));
  if (!fixed.empty())
    out += fmt::format("\nCloudFormation would fail half-way replacing these, since the new one "
                       "takes the same fixed name:\n{}\nundo the change that replaces them, or "
                       "change them in two deploys: first without the component (--allow-delete), "
                       "then with it under a new name",
                       fmt::join(fixed, "\n"));
  co_return out.empty() ? out : "refused, nothing changed:" + out;
}

}  // namespace

Task<App> placed_for_stack(Context& cx) {
  std::optional<Deployed> deployed = co_await deployed_stack(cx.session, cx.target);
  co_return placed_for(cx.app, deployed);
}

namespace {

// What a hot swap does instead of a change set: each function whose code alone changed, by its
// physical name, with the key of its new code. Empty with `why` set when anything else changed.
struct Swap {
  std::vector<std::pair<std::string, std::string>> functions;  // physical name, S3 key
  std::string why;
};

// `key` of a Lambda function's Code, resolved; "" for any other resource or inline code.
std::string code_key(const json& resource, const json& parameters) {
  if (resource.value("Type", "") != "AWS::Lambda::Function") return "";
  const json code = resource.value("Properties", json::object()).value("Code", json::object());
  return code.contains("S3Key") ? resolve_key(code["S3Key"], parameters) : "";
}

Swap plan_swap(const Deployed& deployed, const std::vector<json>& templates,
               const json& parameters, const json& deployed_parameters) {
  Swap out;
  for (const auto& p : deployed_parameters) {
    std::string name = p.value("ParameterKey", "");
    if (parameters.value(name, "") != p.value("ParameterValue", "")) {
      out.why = fmt::format("parameter {} changes", name);
      return out;
    }
  }
  json before = merged(deployed.templates)["Resources"], after = merged(templates)["Resources"];
  auto without = [](json resource, const char* property) {
    if (resource.contains("Properties")) resource["Properties"].erase(property);
    return resource;
  };
  json parent_before = deployed.templates.front(), parent_after = templates.front();
  parent_before.erase("Resources");
  parent_after.erase("Resources");
  if (parent_before != parent_after) out.why = "the template's parameters or outputs change";
  for (const auto& [id, resource] : after.items()) {
    if (!out.why.empty()) break;
    if (!before.contains(id)) {
      out.why = id + " is added";
    } else if (before[id] == resource ||
               // a nested stack's template: its resources are compared here too
               (resource.value("Type", "") == "AWS::CloudFormation::Stack" &&
                without(before[id], "TemplateURL") == without(resource, "TemplateURL"))) {
      continue;
    } else if (std::string key = code_key(resource, parameters);
               !key.empty() && without(before[id], "Code") == without(resource, "Code")) {
      const std::string& logical_id = id;  // clang 14 captures no structured binding
      auto held = std::find_if(deployed.resources.begin(), deployed.resources.end(),
                               [&](const DeployedResource& r) { return r.logical_id == logical_id; });
      if (held == deployed.resources.end() || held->physical_id.empty())
        out.why = id + " is not deployed";
      else
        out.functions.emplace_back(held->physical_id, key);
    } else {
      out.why = id + " changes";
    }
  }
  for (const auto& [id, resource] : before.items())
    if (out.why.empty() && !after.contains(id)) out.why = id + " is removed";
  if (!out.why.empty()) out.functions.clear();
  return out;
}

// Updates the functions whose code alone changed, without a change set; false (having said why)
// when the change is not code alone, and the deploy goes on as usual.
Task<bool> hot_swap(Context& cx, const std::vector<Built>& archives) {
  Session& session = cx.session;
  std::optional<json> stack = co_await describe_stack(session, cx.target.stack);
  std::string status = stack ? stack->value("StackStatus", "") : "";
  if (!stack || !status.ends_with("_COMPLETE") || status.find("ROLLBACK") != std::string::npos) {
    std::string line = fmt::format("hot swap: {} is {}: deploying with a change set\n",
                                   cx.target.stack, stack ? status : "not deployed");
    co_await session.err(line);
    co_return false;
  }
  Deployed deployed = co_await read_deployed(session, cx.target.stack);
  App app = placed_for(cx.app, deployed);
  std::vector<json> templates{json::parse(adapted_for(cx.target, app.synth(), true))};
  const json nested_stacks = json::parse(app.nested_stacks());
  for (const auto& nested : nested_stacks)
    templates.push_back(json::parse(adapted_for(cx.target, nested["template"], false)));
  std::string bucket = co_await artifacts_bucket(session, cx.target, true);
  json parameters = parameter_values(templates.front(), stack_parameters(cx, bucket));
  Swap swap = plan_swap(deployed, templates, parameters, stack->value("Parameters", json::array()));
  if (swap.functions.empty()) {
    std::string line =
        swap.why.empty() ? "hot swap: no function's code changes: deploying with a change set\n"
                         : fmt::format("hot swap: {}, not only code: deploying with a change set\n",
                                       swap.why);
    co_await session.err(line);
    co_return false;
  }
  co_await upload_archives(session, bucket, archives);
  for (const auto& swapped : swap.functions) {
    const std::string& function = swapped.first;
    json update = {{"FunctionName", function}, {"S3Bucket", bucket}, {"S3Key", swapped.second}};
    co_await session.call("lambda", "UpdateFunctionCode", update);
    for (int waited = 0;; ++waited) {
      json configuration = co_await session.call("lambda", "GetFunctionConfiguration",
                                                 "FunctionName", function);
      std::string update_status = configuration.value("LastUpdateStatus", "Successful");
      if (update_status == "Failed")
        throw Stop(fmt::format("hot swap: updating the code of {} failed: {}", function,
                               configuration.value("LastUpdateStatusReason", "")));
      if (update_status != "InProgress") break;
      if (waited >= 300) throw Stop(fmt::format("hot swap: {} is still updating after 5 minutes", function));
      co_await session.wait(1000);
    }
    std::string line = fmt::format("hot swap: updated the code of {}\n", function);
    co_await session.err(line);
  }
  co_await session.err(
      "hot swap: done without a change set; the stack still names the code it deployed last, "
      "until a deploy without --hotswap\n");
  co_return true;
}

}  // namespace

Task<int> diff_command(Context& cx) {
  Prepared prepared = co_await prepare(cx, nullptr);
  co_await discard(cx.session, cx.target, prepared.change_set);
  cx.session.standing("");
  co_await show(cx.session, prepared.change_set);
  json changes = json::array();
  for (const auto& c : prepared.change_set.changes)
    changes.push_back({{"logical_id", c.logical_id}, {"type", c.type}, {"action", c.action},
                       {"replacement", c.replacement}});
  // What the escape hatch changed, changed now or not: a reviewer's first question.
  json overridden = json::parse(cx.app.synth())
                        .value(json::json_pointer("/Metadata/pareto/overrides"), json::array());
  if (!overridden.empty()) {
    std::string line = fmt::format("overridden (overrides:): {}\n",
                                   fmt::join(overridden.get<std::vector<std::string>>(), ", "));
    co_await cx.session.err(line);
  }
  cx.session.result() = {{"changes", changes}, {"widened", prepared.change_set.widened},
                         {"overridden", overridden}};
  std::string refused = co_await refusal(cx, prepared);
  if (!refused.empty()) throw Stop(refused);
  co_return 0;
}

Task<int> deploy_command(Context& cx) {
  Session& session = cx.session;
  // Built first: a dependency that cannot install stops the deploy before it touches AWS.
  json parameters = parameter_values(json::parse(cx.app.synth()), cx.options.parameters);
  std::vector<Built> archives = co_await build_code(session, cx.app, parameters);
  if (cx.options.hotswap) {
    bool swapped = co_await hot_swap(cx, archives);
    if (swapped) {
      json outputs = co_await stack_outputs(session, cx.target);
      session.result() = outputs;
      co_return co_await print_outputs(cx, outputs);
    }
  }
  Prepared prepared = co_await prepare(cx, &archives);
  const ChangeSet& change_set = prepared.change_set;
  co_await show(session, change_set);
  if (!change_set.id.empty()) {
    std::string refused = co_await refusal(cx, prepared);
    if (!refused.empty()) {
      co_await discard(session, cx.target, change_set);
      throw Stop(refused);
    }
    if (session.facts().interactive && !cx.options.yes) {
      json answer;
      bool interrupted = false;  // Ctrl-C at the question: a no, said as an interrupt
      try {
        answer = co_await session.ask("deploy these changes?");
      } catch (const Interrupted&) {
        interrupted = true;
      }
      if (interrupted || !yes(answer)) {
        co_await discard(session, cx.target, change_set);
        session.standing("nothing was deployed, and the change set is deleted");
        if (interrupted) throw Interrupted();
        throw Stop("cancelled");
      }
    }
    std::string since = co_await latest_event_id(session, cx.target.stack);
    // From the request on, an answer that never comes leaves it open whether it started.
    session.standing(fmt::format(
        "whether CloudFormation started the change set on {} is not known: {} shows it, and the "
        "next deploy waits for it if it did",
        cx.target.stack, follow_up(cx, "events")));
    std::optional<AwsError> failed;
    json execute = {{"ChangeSetName", change_set.id}, {"ClientRequestToken", change_set.name}};
    try {
      co_await session.call("cloudformation", "ExecuteChangeSet", execute);
    } catch (const AwsError& error) {
      failed = error;
    }
    if (failed) {
      std::optional<json> stack = co_await describe_stack(session, cx.target.stack);
      throw Stop(fmt::format("executing the change set failed ({} is {}): {}", cx.target.stack,
                             stack ? stack->value("StackStatus", "") : "gone", failed->what()));
    }
    session.standing(fmt::format(
        "CloudFormation goes on {} {} without pareto: {} shows how it ends, and the next deploy "
        "waits for it",
        change_set.stack_type == "CREATE" ? "creating" : "updating", cx.target.stack,
        follow_up(cx, "events")));
    co_await follow(session, cx.target, since, change_set.changes.size(),
                    change_set.stack_type + "_COMPLETE");
    session.standing(fmt::format("{} is deployed: {} shows its outputs", cx.target.stack,
                                 follow_up(cx, "outputs")));
    if (cx.target.local) {
      std::vector<std::string> notes =
          co_await after_execute(session, cx.target.stack, prepared.through_api);
      for (const auto& note : notes) co_await session.err("local: " + note + "\n");
    }
  }
  json outputs = co_await stack_outputs(session, cx.target);
  session.result() = outputs;
  co_return co_await print_outputs(cx, outputs);
}

Task<int> outputs_command(Context& cx) {
  json outputs = co_await stack_outputs(cx.session, cx.target);
  cx.session.result() = outputs;
  if (cx.options.json) {
    co_await cx.session.out(outputs.dump(2) + "\n");
    co_return 0;
  }
  co_return co_await print_outputs(cx, outputs);
}

// Deletes what a destroy kept, data and all: buckets emptied of every version first, deletion
// protection turned off first.
Task<void> delete_data(Session& session, DeployedResource r) {
  bool gone = false;
  try {
    if (r.type == "AWS::S3::Bucket") {
      co_await empty_bucket(session, r.physical_id);
      co_await session.call("s3", "DeleteBucket", "Bucket", r.physical_id);
    } else if (r.type == "AWS::DynamoDB::Table") {
      json unprotect = {{"TableName", r.physical_id}, {"DeletionProtectionEnabled", false}};
      co_await session.call("dynamodb", "UpdateTable", unprotect);
      co_await session.call("dynamodb", "DeleteTable", "TableName", r.physical_id);
    } else if (r.type == "AWS::Cognito::UserPool") {
      json unprotect = {{"UserPoolId", r.physical_id}, {"DeletionProtection", "INACTIVE"}};
      co_await session.call("cognito-idp", "UpdateUserPool", unprotect);
      co_await session.call("cognito-idp", "DeleteUserPool", "UserPoolId", r.physical_id);
    } else if (r.type == "AWS::SecretsManager::Secret") {
      json request = {{"SecretId", r.physical_id}, {"ForceDeleteWithoutRecovery", true}};
      co_await session.call("secretsmanager", "DeleteSecret", request);
    } else {
      co_return;
    }
  } catch (const AwsError& error) {
    if (!error.missing()) throw;
    gone = true;
  }
  std::string line = gone ? described(r, "") + " was gone already\n" : "deleted " + described(r, "") + "\n";
  co_await session.err(line);
}

Task<int> destroy_command(Context& cx) {
  Session& session = cx.session;
  std::optional<json> stack = co_await settled_stack(cx);
  if (!stack) {
    co_await session.err(fmt::format("there is no stack {}\n", cx.target.stack));
    co_return 0;
  }
  Deployed deployed = co_await read_deployed(session, cx.target.stack);
  std::vector<DeployedResource> retained;
  for (const auto& r : deployed.data())
    if (r.retained && !r.physical_id.empty()) retained.push_back(r);
  if (cx.options.delete_data && !retained.empty()) {
    std::string question = fmt::format("delete {} and its {} tables, buckets, user pools and "
                                       "secrets, with their data?", cx.target.stack, retained.size());
    co_await agree(cx, question,
                   "--delete-data deletes the tables, buckets, user pools and secrets with their "
                   "data");
  } else if (session.facts().interactive && !cx.options.yes) {
    json answer = co_await session.ask(fmt::format("delete {}?", cx.target.stack));
    if (!yes(answer)) throw Stop("cancelled");
  }
  if (cx.target.local) co_await before_destroy(session, cx.target.stack);
  co_await delete_stack(session, cx.target, deployed);
  json kept = json::array(), deleted = json::array();
  for (const auto& r : retained) {
    if (cx.options.delete_data) {
      co_await delete_data(session, r);
      deleted.push_back(r.physical_id);
      continue;
    }
    kept.push_back({{"logical_id", r.logical_id}, {"type", r.type}, {"physical_id", r.physical_id}});
  }
  if (!kept.empty()) {
    std::vector<std::vector<std::string>> rows{{"resource", "type", "name"}};
    for (const auto& r : kept) rows.push_back({r["logical_id"], r["type"], r["physical_id"]});
    co_await session.err(fmt::format("kept, with their data (retained):\n{}destroy --delete-data "
                                     "deletes them too\n", text_table(rows, "lll")));
  }
  session.result() = {{"kept", kept}, {"deleted", deleted}};
  co_return 0;
}

}  // namespace pareto::engine
