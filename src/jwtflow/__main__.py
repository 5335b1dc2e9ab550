"""``python -m jwtflow``: the ``jwtflow`` command."""

import sys

from jwtflow.cli import main

if __name__ == "__main__":
    sys.exit(main())
