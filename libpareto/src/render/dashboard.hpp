// The app's CloudWatch dashboards (`dashboard:`): the chart rows the kinds recorded, laid out on
// CloudWatch's 24-column grid and split across dashboards within its limits.
#pragma once

#include "components/kind.hpp"

namespace pareto {

// CloudWatch's limits per dashboard.
inline constexpr size_t kMaxWidgets = 500;
inline constexpr size_t kMaxMetrics = 2500;
// Few enough resources read for a dashboard to live in a nested stack, whose values come in as
// parameters (200 at most, a few of them the app's own).
inline constexpr size_t kMaxResourcesRead = 150;

// The widgets of each dashboard: a full-width title over each row, charts 6 columns wide.
std::vector<nlohmann::json> layout(const std::vector<ChartRow>& rows, int period);

// Renders the dashboards and their URL outputs; nothing when the app has none.
void render_dashboards(Renderer& r);

}  // namespace pareto
