"""`python -m verbatim`: the same as the `verbatim` command."""

import sys

from verbatim.tui.cli import main

sys.exit(main())
