// How a deploy and a diff meet the stack as they find it: another operation running on it, a
// failed create, a failed rollback, a stack that can only be deleted, drift made by hand, and an
// interrupt. moto reaches none of these states, so each test scripts the answers AWS gives.
#include <gtest/gtest.h>

#include <string>

#include "engine/command.hpp"
#include "engine/flow.hpp"
#include "scripted_flow.hpp"

namespace pareto::engine {
namespace {

using testing_support::Exchange;
using testing_support::fails;
using testing_support::kNotDone;
using testing_support::ok;
using testing_support::Outcome;

Exchange stack_is(std::string status, std::string reason = "") {
  json stack = {{"StackName", "hello-dev"}, {"StackStatus", status}};
  if (!reason.empty()) stack["StackStatusReason"] = reason;
  return {"cloudformation", "DescribeStacks", {{"StackName", "hello-dev"}},
          ok({{"Stacks", {stack}}})};
}
const Exchange kNoStack = {"cloudformation", "DescribeStacks", {{"StackName", "hello-dev"}},
                           fails("ValidationError", "Stack with id hello-dev does not exist")};
const Exchange kNoEvents = {"cloudformation", "DescribeStackEvents", {{"StackName", "hello-dev"}},
                            ok({{"StackEvents", json::array()}})};

class DeployStateTest : public testing_support::ScriptedFlow {
 protected:
  void SetUp() override {
    options.app_path = "examples/hello";
    open_ended = true;
  }
  // The calls that read the deployed stack (read_deployed): its template, its resources.
  std::vector<Exchange> read_stack(json resources = json::array()) {
    return {{"cloudformation", "GetTemplate", {{"StackName", "hello-dev"}},
             ok({{"TemplateBody", app.synth()}})},
            {"cloudformation", "ListStackResources", {{"StackName", "hello-dev"}},
             ok({{"StackResourceSummaries", resources}})}};
  }
  void then(const std::vector<Exchange>& more) { script.insert(script.end(), more.begin(), more.end()); }
};

TEST_F(DeployStateTest, ADiffWaitsWhileAnotherDeployRunsAndSaysSo) {
  script = {stack_is("UPDATE_IN_PROGRESS"), stack_is("UPDATE_IN_PROGRESS"),
            stack_is("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"), stack_is("UPDATE_COMPLETE")};
  Outcome outcome = run(diff_command);
  EXPECT_EQ(outcome.exit, kNotDone);
  EXPECT_EQ(outcome.waits, (std::vector<int64_t>{3000, 3000, 3000}));
  EXPECT_EQ(outcome.err,
            "hello-dev is UPDATE_IN_PROGRESS: another deploy or destroy runs on it; waiting for it "
            "to end (`pareto events examples/hello --stage dev` shows it; --no-wait refuses "
            "instead)\n"
            "hello-dev is UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: another deploy or destroy runs on "
            "it; waiting for it to end (`pareto events examples/hello --stage dev` shows it; "
            "--no-wait refuses instead)\n"
            "hello-dev is UPDATE_COMPLETE: going on\n");
}

TEST_F(DeployStateTest, WaitingGivesUpAfterTwoHours) {
  script = {stack_is("UPDATE_IN_PROGRESS")};
  for (int i = 0; i < 2 * 1200 + 1; ++i) script.push_back(stack_is("UPDATE_IN_PROGRESS"));
  Outcome outcome = run(diff_command);
  EXPECT_EQ(outcome.exit, kExitFailed);
  EXPECT_NE(outcome.err.find("pareto: hello-dev is still UPDATE_IN_PROGRESS after two hours of "
                             "waiting; `pareto events examples/hello --stage dev` shows it\n"),
            std::string::npos)
      << outcome.err;
}

TEST_F(DeployStateTest, AFailedCreateIsDeletedAndMadeAgainWhenTheUserSaysYes) {
  facts.interactive = true;
  reply = true;
  script = {stack_is("ROLLBACK_COMPLETE")};
  then(read_stack());
  then({kNoEvents,
        {"cloudformation", "DeleteStack", {{"StackName", "hello-dev"}}, ok({})},
        kNoEvents,
        kNoStack});
  Outcome outcome = run(deploy_command);
  ASSERT_EQ(outcome.questions.size(), 1u);
  EXPECT_EQ(outcome.questions[0]["question"],
            "hello-dev failed to create and was rolled back (ROLLBACK_COMPLETE); CloudFormation "
            "can only delete it: the deploy deletes it first. Go on?");
  EXPECT_EQ(outcome.err,
            "hello-dev failed to create before: deleting it first\n"
            "hello-dev: DELETE_COMPLETE\n");
}

TEST_F(DeployStateTest, AFailedRollbackIsContinuedWithAYesThenTheDeployGoesOn) {
  options.yes = true;
  script = {stack_is("UPDATE_ROLLBACK_FAILED", "Resource Jobs failed to roll back"), kNoEvents,
            {"cloudformation", "ContinueUpdateRollback", {{"StackName", "hello-dev"}}, ok({})},
            {"cloudformation", "ListStackResources", {{"StackName", "hello-dev"}},
             ok({{"StackResourceSummaries", json::array()}})}};
  then({kNoEvents, stack_is("UPDATE_ROLLBACK_IN_PROGRESS"), kNoEvents,
        stack_is("UPDATE_ROLLBACK_COMPLETE"), stack_is("UPDATE_ROLLBACK_COMPLETE"),
        {"cloudformation", "ListChangeSets", {{"StackName", "hello-dev"}},
         ok({{"Summaries", json::array()}})}});
  Outcome outcome = run(deploy_command);
  EXPECT_EQ(outcome.exit, kNotDone);
  EXPECT_EQ(outcome.err, "hello-dev: UPDATE_ROLLBACK_COMPLETE\n");
}

// A state the command stops at before changing anything: the stack's status and reason, the
// command (and whether it was given --no-wait), and what it says.
struct Stopping {
  std::string name, status, reason;
  Task<int> (*command)(Context&);
  bool no_wait;
  std::string said;
};

class StoppingState : public DeployStateTest, public ::testing::WithParamInterface<Stopping> {};

TEST_P(StoppingState, StopsBeforeChangingAnythingSayingWhatToDo) {
  const Stopping& stopping = GetParam();
  options.no_wait = stopping.no_wait;
  script = {stack_is(stopping.status, stopping.reason)};
  Outcome outcome = run(stopping.command);
  EXPECT_EQ(outcome.exit, kExitFailed);
  EXPECT_EQ(outcome.err, "pareto: " + stopping.said + "\n");
}

INSTANTIATE_TEST_SUITE_P(
    DeployStates, StoppingState,
    ::testing::Values(
        Stopping{"NoWaitWhileAnotherDeployRuns", "CREATE_IN_PROGRESS", "", deploy_command, true,
                 "refused, nothing changed: hello-dev is CREATE_IN_PROGRESS, as another deploy or "
                 "destroy runs on it; `pareto events examples/hello --stage dev` shows it, and "
                 "running this again once it ends goes on from there"},
        Stopping{"AFailedCreateWithoutAYes", "ROLLBACK_COMPLETE",
                 "The following resource(s) failed to create: [Jobs].", deploy_command, false,
                 "hello-dev failed to create and was rolled back (ROLLBACK_COMPLETE) (The "
                 "following resource(s) failed to create: [Jobs].); CloudFormation can only "
                 "delete it, and the deploy deletes it first: pass --yes to do it without a "
                 "terminal to ask on"},
        Stopping{"ADiffOfAFailedCreate", "ROLLBACK_COMPLETE", "", diff_command, false,
                 "hello-dev failed to create and was rolled back (ROLLBACK_COMPLETE); "
                 "CloudFormation can only delete it: the next deploy deletes it first, with your "
                 "yes"},
        Stopping{"AFailedRollbackWithoutAYes", "UPDATE_ROLLBACK_FAILED", "", deploy_command, false,
                 "hello-dev's last update failed and so did its rollback "
                 "(UPDATE_ROLLBACK_FAILED), and the deploy continues the rollback first: pass "
                 "--yes to do it without a terminal to ask on"},
        Stopping{"AStackThatCanOnlyBeDeleted", "DELETE_FAILED",
                 "The bucket you tried to delete is not empty", deploy_command, false,
                 "hello-dev is DELETE_FAILED (The bucket you tried to delete is not empty): it "
                 "could not be deleted, and can only be deleted now: `pareto destroy` tries again "
                 "once what blocked it is mended"}),
    [](const ::testing::TestParamInfo<Stopping>& info) { return info.param.name; });

TEST_F(DeployStateTest, ChangeSetsEarlierDeploysLeftAreDeletedAfterAnHour) {
  script = {stack_is("UPDATE_COMPLETE"),
            {"cloudformation", "ListChangeSets", {{"StackName", "hello-dev"}},
             ok({{"Summaries",
                  {{{"ChangeSetName", "pareto-1"}, {"ChangeSetId", "arn:cs/pareto-1"},
                    {"ExecutionStatus", "AVAILABLE"}, {"CreationTime", "2026-12-01T08:29:59.000Z"}},
                   {{"ChangeSetName", "pareto-2"}, {"ChangeSetId", "arn:cs/pareto-2"},
                    {"ExecutionStatus", "AVAILABLE"}, {"CreationTime", "2026-12-01T09:10:00.000Z"}},
                   {{"ChangeSetName", "pareto-3"}, {"ExecutionStatus", "EXECUTE_COMPLETE"},
                    {"CreationTime", "2026-11-01T09:10:00.000Z"}},
                   {{"ChangeSetName", "pareto-4"}, {"ExecutionStatus", "AVAILABLE"},
                    {"CreationTime", "yesterday"}},  // an unknown age: never stale
                   {{"ChangeSetName", "theirs"}, {"ExecutionStatus", "AVAILABLE"},
                    {"CreationTime", "2026-11-01T09:10:00.000Z"}}}}})},
            {"cloudformation", "DeleteChangeSet", {{"ChangeSetName", "arn:cs/pareto-1"}}, ok({})},
            read_stack()[0]};  // then the deploy goes on: no other change set is deleted
  Outcome outcome = run(deploy_command);
  EXPECT_EQ(outcome.err, "deleted the change set pareto-1 an earlier deploy left\n");
}

// The deployed stack's drift: WorkerFunction's timeout changed by hand in the console.
std::vector<Exchange> drift_detected() {
  return {{"cloudformation", "DetectStackDrift", {{"StackName", "hello-dev"}},
           ok({{"StackDriftDetectionId", "d-1"}})},
          {"cloudformation", "DescribeStackDriftDetectionStatus", {{"StackDriftDetectionId", "d-1"}},
           ok({{"DetectionStatus", "DETECTION_IN_PROGRESS"}})},
          {"cloudformation", "DescribeStackDriftDetectionStatus", {{"StackDriftDetectionId", "d-1"}},
           ok({{"DetectionStatus", "DETECTION_COMPLETE"}, {"StackDriftStatus", "DRIFTED"}})},
          {"cloudformation", "DescribeStackResourceDrifts",
           {{"StackName", "hello-dev"},
            {"StackResourceDriftStatusFilters", {"MODIFIED", "DELETED"}}},
           ok({{"StackResourceDrifts",
                {{{"LogicalResourceId", "WorkerFunction"}, {"StackResourceDriftStatus", "MODIFIED"},
                  {"PropertyDifferences", {{{"PropertyPath", "/Timeout"}}}}},
                 {{"LogicalResourceId", "JobsQueue"}, {"StackResourceDriftStatus", "DELETED"}}}}})}};
}

TEST_F(DeployStateTest, DriftIsDetectedOnEveryStackAndSaid) {
  script = {stack_is("UPDATE_COMPLETE")};
  then(read_stack());
  then(drift_detected());
  Outcome outcome = run(diff_command);
  EXPECT_EQ(outcome.waits, (std::vector<int64_t>{3000}));
  EXPECT_EQ(outcome.err,
            "drift: JobsQueue was changed outside pareto (deleted)\n"
            "drift: WorkerFunction was changed outside pareto (modified: /Timeout)\n");
}

TEST_F(DeployStateTest, AChangeThatWouldOverwriteDriftIsRefusedUnlessAllowed) {
  for (bool allowed : {false, true}) {
    options.allow_drift = allowed;
    script = {stack_is("UPDATE_COMPLETE")};
    then(read_stack());
    then(drift_detected());
    then({{"sts", "GetCallerIdentity", json::object(), ok({{"Account", "123456789012"}})},
          {"s3", "HeadBucket", {{"Bucket", "pareto-artifacts-123456789012-eu-west-1"}}, ok({})},
          {"s3", "HeadObject", json::object(), ok({})},  // the template, uploaded before
          {"cloudformation", "CreateChangeSet", {{"ChangeSetType", "UPDATE"}}, ok({{"Id", "cs-1"}})},
          {"cloudformation", "DescribeChangeSet", {{"ChangeSetName", "cs-1"}},
           ok({{"Status", "CREATE_COMPLETE"},
               {"Changes",
                {{{"ResourceChange", {{"LogicalResourceId", "WorkerFunction"},
                                      {"ResourceType", "AWS::Lambda::Function"},
                                      {"Action", "Modify"}, {"Replacement", "False"}}}}}}})},
          {"cloudformation", "DeleteChangeSet", {{"ChangeSetName", "cs-1"}}, ok({})}});
    open_ended = false;
    Outcome outcome = run(diff_command);
    EXPECT_EQ(outcome.exit, allowed ? 0 : kExitFailed);
    std::string refusal =
        "pareto: refused, nothing changed:\n"
        "the change would overwrite what was changed outside pareto since the last deploy "
        "(drift):\n"
        "  WorkerFunction (AWS::Lambda::Function), modified: /Timeout\n"
        "put the change in pareto.yaml (overrides: reaches any property), or pass --allow-drift "
        "to deploy over it\n";
    EXPECT_EQ(outcome.err.find(refusal) != std::string::npos, !allowed) << outcome.err;
  }
}

TEST_F(DeployStateTest, DriftThatCannotBeDetectedIsSaidAndSkipped) {
  script = {stack_is("UPDATE_COMPLETE")};
  then(read_stack());
  then({{"cloudformation", "DetectStackDrift", {{"StackName", "hello-dev"}},
         fails("AccessDenied", "not authorized to perform cloudformation:DetectStackDrift", 403)}});
  Outcome outcome = run(diff_command);
  EXPECT_EQ(outcome.err,
            "drift: not checked for hello-dev: AccessDenied: not authorized to perform "
            "cloudformation:DetectStackDrift (--no-drift-check skips it)\n");
}

TEST_F(DeployStateTest, NoDriftCheckSkipsTheDetection) {
  options.no_drift_check = true;
  script = {stack_is("UPDATE_COMPLETE")};
  then(read_stack());
  then({{"sts", "GetCallerIdentity", json::object(), ok({{"Account", "123456789012"}})}});
  Outcome outcome = run(diff_command);
  EXPECT_EQ(outcome.err, "");
}

TEST_F(DeployStateTest, CtrlCAtTheReviewDeletesTheChangeSet) {
  facts.interactive = true;
  options.no_drift_check = true;
  open_ended = false;
  reply = {{"interrupted", true}};
  script = {stack_is("UPDATE_COMPLETE"),
            {"cloudformation", "ListChangeSets", {{"StackName", "hello-dev"}},
             ok({{"Summaries", json::array()}})}};
  then(read_stack());
  then({{"sts", "GetCallerIdentity", json::object(), ok({{"Account", "123456789012"}})},
        {"s3", "HeadBucket", json::object(), ok({})}});
  const size_t archives = json::parse(app.functions()).size();
  for (size_t i = 0; i <= archives; ++i)  // each archive, then the template: there already
    script.push_back({"s3", "HeadObject", json::object(), ok({})});
  then({{"cloudformation", "CreateChangeSet", {{"ChangeSetType", "UPDATE"}}, ok({{"Id", "cs-1"}})},
        {"cloudformation", "DescribeChangeSet", {{"ChangeSetName", "cs-1"}},
         ok({{"Status", "CREATE_COMPLETE"},
             {"Changes", {{{"ResourceChange", {{"LogicalResourceId", "WorkerFunction"},
                                               {"ResourceType", "AWS::Lambda::Function"},
                                               {"Action", "Modify"}, {"Replacement", "False"}}}}}}})},
        {"cloudformation", "DeleteChangeSet", {{"ChangeSetName", "cs-1"}}, ok({})}});
  Outcome outcome = run(deploy_command);
  EXPECT_EQ(outcome.exit, kExitInterrupted);
  ASSERT_EQ(outcome.questions.size(), 1u);
  EXPECT_TRUE(outcome.err.ends_with(
      "pareto: interrupted\nnothing was deployed, and the change set is deleted\n"))
      << outcome.err;
}

TEST_F(DeployStateTest, AnInterruptBeforeAnythingChangesSaysOnlyThat) {
  script = {{"cloudformation", "DescribeStacks", {{"StackName", "hello-dev"}},
             {{"interrupted", true}}}};
  Outcome outcome = run(diff_command);
  EXPECT_EQ(outcome.exit, kExitInterrupted);
  EXPECT_EQ(outcome.err, "pareto: interrupted\n");
}

Task<int> writes_then_calls(Session& session) {
  co_await session.err("working\n");
  co_await session.call("sts", "GetCallerIdentity");
  co_return 0;
}

TEST(Interrupts, AnInterruptedWriteEndsTheFlowAtTheNextStepThatIsNot) {
  Flow flow(HostFacts{}, writes_then_calls);
  EXPECT_EQ(flow.next(nullptr).data["step"], "write");
  json step = flow.next({{"interrupted", true}}).data;  // the call is never asked for
  EXPECT_EQ(step["step"], "write");
  EXPECT_EQ(step["text"], "pareto: interrupted\n");
  step = flow.next({{"interrupted", true}}).data;  // nor does a second interrupt end it otherwise
  EXPECT_EQ(step["step"], "done");
  EXPECT_EQ(step["exit"], kExitInterrupted);
}

}  // namespace
}  // namespace pareto::engine
