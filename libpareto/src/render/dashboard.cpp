#include "render/dashboard.hpp"

#include <fmt/format.h>

#include <set>

#include "embedded.hpp"

namespace pareto {
using nlohmann::json;

namespace {

constexpr int kColumns = 24;
constexpr int kChartWidth = 6;
constexpr int kChartHeight = 6;
constexpr int kTitleHeight = 1;

// `value` with every "{placeholder}" string replaced; false when one has no value.
bool fill(json& value, const std::map<std::string, std::string>& values) {
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    if (text.size() < 3 || text.front() != '{' || text.back() != '}') return true;
    auto it = values.find(text.substr(1, text.size() - 2));
    if (it == values.end()) return false;
    value = it->second;
    return true;
  }
  if (value.is_structured())
    for (auto& child : value)
      if (!fill(child, values)) return false;
  return true;
}

// The chart definitions a row names (an embedded file); none for an unknown one.
json chart_file(const std::string& path) {
  std::string_view text = embedded(path);
  return text.empty() ? json::array() : json::parse(text);
}

// One row's widgets starting at height `y`; returns them and moves `y` below them.
std::vector<json> row_widgets(const ChartRow& row, int period, int& y) {
  std::vector<json> out{{{"type", "text"}, {"x", 0}, {"y", y}, {"width", kColumns},
                         {"height", kTitleHeight},
                         {"properties", {{"markdown", "### " + row.title}}}}};
  y += kTitleHeight;
  int column = 0;
  for (json chart : chart_file(row.charts)) {
    if (!fill(chart, row.values)) continue;  // a chart of a part this component lacks
    if (column + kChartWidth > kColumns) {
      column = 0;
      y += kChartHeight;
    }
    json properties = {{"view", "timeSeries"}, {"region", "${AWS::Region}"}, {"period", period}};
    properties.update(chart);
    out.push_back({{"type", "metric"}, {"x", column}, {"y", y}, {"width", kChartWidth},
                   {"height", kChartHeight}, {"properties", properties}});
    column += kChartWidth;
  }
  if (column > 0) y += kChartHeight;
  return out;
}

// The resources a row's charts read ("${UsersTable}", "${Queue.QueueName}").
std::set<std::string> resources_read(const ChartRow& row) {
  std::set<std::string> out;
  for (const auto& [_, value] : row.values)
    for (const auto& name : sub_variables(value)) out.insert(name.substr(0, name.find('.')));
  return out;
}

size_t metric_count(const std::vector<json>& widgets) {
  size_t n = 0;
  for (const auto& w : widgets)
    if (w["properties"].contains("metrics")) n += w["properties"]["metrics"].size();
  return n;
}

}  // namespace

std::vector<json> layout(const std::vector<ChartRow>& rows, int period) {
  std::vector<json> dashboards;
  std::vector<json> widgets;
  std::set<std::string> read;
  int y = 0;
  for (const auto& row : rows) {
    int start = y;
    std::vector<json> next = row_widgets(row, period, y);
    std::set<std::string> more = resources_read(row);
    more.insert(read.begin(), read.end());
    if (!widgets.empty() && (widgets.size() + next.size() > kMaxWidgets ||
                             metric_count(widgets) + metric_count(next) > kMaxMetrics ||
                             more.size() > kMaxResourcesRead)) {
      // The row starts the next dashboard, at its top.
      dashboards.push_back(std::move(widgets));
      widgets.clear();
      more = resources_read(row);
      for (auto& w : next) w["y"] = w["y"].get<int>() - start;
      y -= start;
    }
    widgets.insert(widgets.end(), next.begin(), next.end());
    read = std::move(more);
  }
  if (!widgets.empty()) dashboards.push_back(std::move(widgets));
  return dashboards;
}

void render_dashboards(Renderer& r) {
  const json& options = r.options("dashboard");
  if (options.is_null()) return;
  std::vector<json> dashboards = layout(r.chart_rows(), options["period"].get<int>());
  for (size_t i = 0; i < dashboards.size(); ++i) {
    std::string suffix = i == 0 ? "" : std::to_string(i + 1);
    std::string id = "Dashboard" + suffix;
    json body = {{"widgets", dashboards[i]}};
    r.resource(id,
               {{"Type", "AWS::CloudWatch::Dashboard"},
                {"Properties",
                 {{"DashboardName", cfn::sub(r.model().app + "-${StageName}" +
                                             (suffix.empty() ? "" : "-" + suffix))},
                  {"DashboardBody", cfn::sub(body.dump())}}}},
               "/dashboard");
    r.output(id + "Url",
             cfn::sub("https://${AWS::Region}.console.aws.amazon.com/cloudwatch/home?region="
                      "${AWS::Region}#dashboards:name=${" + id + "}"),
             "The app's dashboard" + (suffix.empty() ? "" : " " + suffix), "/dashboard");
  }
}

}  // namespace pareto
