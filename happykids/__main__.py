import sys

from happykids.cli import main

sys.exit(main())
