"""Outbox handlers for the tests only: `test_outbox.py` imports them, and worker processes started by
`test_outbox_worker.py` load them as an app through `settings.py` here."""
