"""The kinds' Python tests (the inline sources' tests beside them) share python/tests' helpers."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python" / "tests"))
