"""Telegram presentation: callback data, FSM states, keyboards, screens, cards and the screen engine."""
