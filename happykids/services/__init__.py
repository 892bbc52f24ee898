"""Business rules that are not tied to Telegram: plain functions on a database session."""
