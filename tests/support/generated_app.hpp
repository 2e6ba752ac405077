// A generated app of about `components` components, for the scaling benchmark and the nested
// stack tests. Per five: a worker action consuming a queue, the queue, a table, a bucket and a
// reader action behind an endpoint; and an API per twenty readers. The API reads its readers'
// functions and the queues and workers read each other, so a split has references to carry.
#pragma once

#include <sstream>
#include <string>

namespace pareto::testing_support {

inline std::string generated_app(int components, bool dashboard = false) {
  const int groups = components / 5, per_api = 20;
  std::ostringstream yaml;
  yaml << "app: generated\n" << (dashboard ? "dashboard: true\n" : "") << "actions:\n";
  for (int i = 0; i < groups; ++i)
    yaml << "  - {name: worker" << i << ", permissions: [dynamodb:PutItem, sns:Publish]}\n"
         << "  - {name: reader" << i << ", permissions: [dynamodb:GetItem]}\n";
  yaml << "tables:\n";
  for (int i = 0; i < groups; ++i) yaml << "  - {name: table" << i << "}\n";
  yaml << "buckets:\n";
  for (int i = 0; i < groups; ++i) yaml << "  - {name: bucket" << i << "}\n";
  yaml << "queues:\n";
  for (int i = 0; i < groups; ++i)
    yaml << "  - {name: queue" << i << ", action: worker" << i << "}\n";
  yaml << "apis:\n";
  for (int i = 0; i < groups; ++i) {
    if (i % per_api == 0) yaml << "  - name: api" << i / per_api << "\n    endpoints:\n";
    yaml << "      - {action: reader" << i << ", method: GET, path: items" << i << "}\n";
  }
  return yaml.str();
}

}  // namespace pareto::testing_support
