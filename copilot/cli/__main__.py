"""`python -m copilot.cli`: the same as `session-copilot`."""

import sys

from copilot.cli import main

sys.exit(main())
