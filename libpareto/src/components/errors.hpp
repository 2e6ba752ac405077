// The app's error routing: failed async invocations and failed stream batches go to one errors
// queue; the inline error handler formats each failure and publishes it to the errors topic,
// which is an output so people can subscribe.
#pragma once

#include "components/kind.hpp"

namespace pareto {

// Renders the queue, the topic and the handler on first use (`origin`: the entry that needs
// them); returns the queue's ARN, the on-failure destination. The function whose failures go
// there needs `errors_grant()` in its role.
nlohmann::json errors_destination(Renderer& r, const std::string& origin);
Grant errors_grant(const std::string& origin);

}  // namespace pareto
