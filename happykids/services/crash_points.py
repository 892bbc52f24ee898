"""TEST HOOK: die on purpose at a named point, to prove that nothing acknowledged is lost on kill -9.

Two ways to arm it (only the end-to-end tests do; in production neither variable is set and this is a no-op):
  HAPPYKIDS_TEST_CRASH_AFTER=<point>  the process calls os._exit(137) (what kill -9 looks like to the parent
                                      process) the first time it passes that point;
  HAPPYKIDS_TEST_CRASH_FILE=<path>    the same for the point named in that file, read at every point, so one
                                      long-lived process can be armed by a test again and again; the file is
                                      emptied before dying, so the next process does not die at the same point.
Points, in the order a receipt lives through them:
  intake        receipt_saved     the file is on disk, nothing committed yet
                receipt_commit    the receipt and its outbox tasks are committed, the parent is not answered yet
                received_intent   "получили" is on record as about to be sent, not sent
                received_sent     "получили" was sent, that is not on record yet
                receipt_ack       "получили" was sent and recorded, the director was not notified yet
  admin cards   card_intent       a card to an admin is on record as about to be sent, not sent
                card_sent         the card was sent (without buttons), it is not on record yet
                card_recorded     the card is on record, its buttons are not on yet
                card_armed        its buttons are on, that is not on record yet
  review        decision_commit   the decision and its tasks are committed, the admin's press is not answered
                card_claimed      a copy of the card is claimed for the decision edit, not edited
                card_edited       the copy shows the decision, that is not on record yet
  notification  decision_intent   the decision notice to the parent is on record as about to be sent, not sent
                decision_sent     the notice was sent, that is not on record yet
  paid in Telegram (issue #13)
                tgpay_commit      the payment, its approval and its tasks are committed, the update not confirmed
                paid_notice_intent  the director's notice is on record as about to be sent, not sent
                paid_notice_sent  the notice was sent, that is not on record yet
  screens       press_answered    a press is answered, nothing of its work committed (ui/answered.py)
                step_written      the next step is in the dialog state (kept for Redis until the commit), not committed
                step_committed    the next screen is committed, not shown: a step of the payment dialog or of a
                                  project, the panel after a typed change (ui/view.py; handlers/redelivery.py)
                state_unpublished the database committed, Redis not written yet (db/redis_storage.py)
  reminders     reminder_claimed  a due reminder is claimed (its intent committed), not sent (workers/scheduler.py)
                reminder_sent     the reminder was sent, that is not on record yet
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

ENV_VAR = "HAPPYKIDS_TEST_CRASH_AFTER"
FILE_ENV_VAR = "HAPPYKIDS_TEST_CRASH_FILE"
log = logging.getLogger(__name__)


def crash_point(name: str) -> None:
    if os.environ.get(ENV_VAR) == name or _armed_by_file(name):
        log.critical("Crash point %s: exiting with 137 as the test asked", name)
        logging.shutdown()
        os._exit(137)


def _armed_by_file(name: str) -> bool:
    path = os.environ.get(FILE_ENV_VAR)
    if not path:
        return False
    file = Path(path)
    try:
        armed = file.read_text(encoding="utf-8").strip() == name
    except OSError:
        return False
    if armed:
        file.write_text("", encoding="utf-8")  # fire once: the next process must not die here again
    return armed
