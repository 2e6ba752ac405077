# pareto dev: runs one invocation of a Python handler as Lambda would, in a process of its own.
# stdin: {"folder", "module", "function", "event", "context"}; stdout: {"result"} or {"error"};
# the handler's own output goes to stderr, which pareto shows under the invocation's line.
import importlib
import json
import os
import sys
import time
import traceback

answer = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)
sys.stdout = sys.stderr
request = json.load(sys.stdin)
deadline = time.time() + request["context"]["timeout_ms"] / 1000


class Context:
    def __init__(self, facts):
        self.function_name = facts["function_name"]
        self.function_version = "$LATEST"
        self.invoked_function_arn = facts["function_arn"]
        self.memory_limit_in_mb = str(facts["memory_mb"])
        self.aws_request_id = facts["request_id"]
        self.log_group_name = facts["log_group"]
        self.log_stream_name = facts["log_stream"]

    @staticmethod
    def get_remaining_time_in_millis():
        return max(0, int((deadline - time.time()) * 1000))


def failure(error):
    return {"errorType": type(error).__name__, "errorMessage": str(error),
            "stackTrace": traceback.format_tb(error.__traceback__)}


try:
    sys.path.insert(0, request["folder"])
    handler = getattr(importlib.import_module(request["module"]), request["function"])
    outcome = {"result": handler(request["event"], Context(request["context"]))}
    text = json.dumps(outcome)
except Exception as error:  # the handler's failure is the invocation's answer
    text = json.dumps({"error": failure(error)})
answer.write(text)
answer.close()
