"""TEST HOOK: die on purpose at a named point, to prove that nothing acknowledged is lost on kill -9.

Set HAPPYKIDS_TEST_CRASH_AFTER=<point> and the process calls os._exit(137) (what kill -9 looks like to the
parent process) the first time it passes that point. Points:
  receipt_saved  - the file is in DATA_DIR, nothing is committed (the update must come again after a restart)
  receipt_commit - the receipt and its outbox tasks are committed, the parent is not answered yet
  receipt_ack    - the parent was told "получили", the director was not notified yet
Only the end-to-end tests set it; in production the variable is absent and this is a no-op.
"""

from __future__ import annotations

import logging
import os

ENV_VAR = "HAPPYKIDS_TEST_CRASH_AFTER"
log = logging.getLogger(__name__)


def crash_point(name: str) -> None:
    if os.environ.get(ENV_VAR) == name:
        log.critical("%s=%s: exiting with 137 as the test asked", ENV_VAR, name)
        logging.shutdown()
        os._exit(137)
