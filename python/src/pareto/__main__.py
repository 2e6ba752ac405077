"""`python -m pareto ARGS`: the pareto command line (pareto.host.main)."""
import sys

from .host import main

if __name__ == "__main__":
    sys.exit(main())
