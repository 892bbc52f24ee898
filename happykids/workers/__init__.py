"""Background work started and stopped by the app: the receipt outbox, the broadcast sender."""
