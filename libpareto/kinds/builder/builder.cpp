// builders: a CodeBuild project that builds from the app's code archive with its own build spec,
// role and log group; its build state changes are events actions can take (source: builder).
#include "components/function.hpp"
#include "names.hpp"

namespace pareto {
using nlohmann::json;

namespace {

void validate(Checker& c, const Component& builder) {
  c.name_length(builder, "project", 0, 150);
}

void render(Renderer& r, const Component& builder) {
  std::string role = builder.id("builder-role"), log_group = builder.id("builder-log-group");
  // The builder's own archive, rooted at its folder.
  std::string key = r.model().code_keys.at("builders/" + builder.name).get<std::string>();
  std::vector<Grant> grants{
      {{"logs:CreateLogStream", "logs:PutLogEvents"}, {cfn::get_att(log_group, "Arn")}, builder.pointer},
      {{"s3:GetObject", "s3:GetObjectVersion"},
       {cfn::sub("arn:${AWS::Partition}:s3:::${ArtifactsBucket}/" + key)},
       builder.pointer}};
  render_log_group(r, log_group,
                   "/aws/codebuild/" + r.physical_name(builder.name)["Fn::Sub"].get<std::string>(),
                   builder.pointer);
  json managed = render_role(r, role, nullptr, "codebuild.amazonaws.com", grants, builder.pointer);
  json project = {
      {"Type", "AWS::CodeBuild::Project"},
      {"Properties",
       {{"Name", r.physical_name(builder.name)},
        {"ServiceRole", cfn::get_att(role, "Arn")},
        {"Source", {{"Type", "S3"},
                    {"Location", cfn::sub("${ArtifactsBucket}/" + key)},
                    {"BuildSpec", builder.string("buildspec")}}},
        {"Artifacts", {{"Type", "NO_ARTIFACTS"}}},
        {"Environment", {{"Type", "LINUX_CONTAINER"},
                         {"ComputeType", "BUILD_GENERAL1_" + upper_snake(builder.string("compute"))},
                         {"Image", builder["image"]}}},
        {"TimeoutInMinutes", builder["timeout"]},
        {"LogsConfig", {{"CloudWatchLogs", {{"Status", "ENABLED"},
                                            {"GroupName", cfn::ref(log_group)}}}}}}}};
  if (!managed.empty()) project["DependsOn"] = managed;
  r.resource(builder.id(), project, builder.pointer);
  r.output(builder.id(), cfn::ref(builder.id()), "The name of the project of builder " + builder.name,
           builder.pointer);
}

json variable(const Component& builder) { return cfn::ref(builder.id()); }

std::vector<json> arns(const Component& builder) { return {cfn::get_att(builder.id(), "Arn")}; }

// CodeBuild tells of every build phase and state change of the project on EventBridge.
json event_source(const Component& builder) {
  return {{"source", {"aws.codebuild"}},
          {"detail-type", {"CodeBuild Build State Change"}},
          {"detail", {{"project-name", {cfn::ref(builder.id())}}}}};
}

// Its folder is its name, unless it says otherwise.
void defaults(json& builder) {
  if (!builder.contains("path")) builder["path"] = builder["name"];
}

// Its build spec, in its folder.
std::vector<std::pair<std::string, std::string>> files(const Component& builder) {
  return {{builder.string("path") + "/" + builder.string("buildspec"), builder.pointer + "/buildspec"}};
}

}  // namespace

extern const Kind kBuilderKind{.key = "builders", .noun = "builder", .suffix = "builder",
                               .service = "codebuild", .check = validate, .render = render,
                               .variable = variable, .arns = arns, .event_source = event_source,
                               .defaults = defaults, .files = files};

}  // namespace pareto
