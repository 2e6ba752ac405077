"""`pareto dev` from the Python host: examples/hello served on this machine, every trigger
firing its handler (tests/support/dev_scenario.py, which the Node suite runs with its host)."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

from conftest import EXAMPLE, ROOT

sys.path.insert(0, str(ROOT / "tests" / "support"))
import dev_scenario  # noqa: E402

PARETO = [sys.executable, "-m", "pareto"]


def test_the_app_is_served_and_its_triggers_fire(tmp_path: Path) -> None:
    app = Path(shutil.copytree(EXAMPLE, tmp_path / "hello"))
    said = dev_scenario.working(PARETO, app)
    assert "dropped JobsQueueMapping (AWS::Lambda::EventSourceMapping): pareto dev fires it" in said
    assert "  jobs queue → worker (batches of 5)" in said


def test_a_failing_handler_is_retried_to_the_errors_topic(tmp_path: Path) -> None:
    app = Path(shutil.copytree(EXAMPLE, tmp_path / "hello"))
    said = dev_scenario.failing(PARETO, app)
    assert said.count("ticker timer tick") == 2  # the invocation and its one retry


def test_table_inserts_and_uploads_reach_their_actions_by_pattern(tmp_path: Path) -> None:
    app = Path(shutil.copytree(dev_scenario.EVENTS, tmp_path / "events"))
    said = dev_scenario.events(PARETO, app)
    assert "  rule AuditNewUserRule → audit" in said
