// The app's alarms (`alarms:`): CloudWatch alarms that kinds add for their resources, and log
// alerts — every function's error, warning and timeout lines, delivered by the inline log-alerts
// function — all to one alarms topic.
#pragma once

#include "components/kind.hpp"

namespace pareto {

// alarms.topic must name a declared topic.
void check_alarms(Checker& c);

// One alarm on `metric` (Namespace, MetricName, Dimensions, Statistic — or Metrics for metric
// math), when it reaches the threshold `threshold` (a key of alarms.thresholds) for 5 minutes;
// nothing when the app has no alarms. `scale` turns the user's threshold into the metric's unit.
void alarm(Renderer& r, const std::string& id, std::string description, nlohmann::json metric,
           const char* threshold, double scale, const std::string& origin);

// Sends the error, warning and timeout lines of a function's log group to the alarms topic;
// `function` is its logical id.
void watch_logs(Renderer& r, const std::string& function, const std::string& log_group,
                const std::string& origin);

}  // namespace pareto
