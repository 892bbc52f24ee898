"""App wiring: builds the bot from settings and runs it (polling), with the process-level pieces around it."""

from happykids.app.wiring import App, build_app, run_polling

__all__ = ["App", "build_app", "run_polling"]
