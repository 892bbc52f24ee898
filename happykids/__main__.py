"""`python -m happykids`: the same as the `happykids` command."""

import sys

from happykids.cli import main

sys.exit(main())
