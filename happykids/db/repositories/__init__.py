"""All SQL of the bot, one module per aggregate (catalog, catalog_items, payment_links, parents, receipts,
payments, funnel, outbox, admins, audit, texts, …).

Why one place: a handler or a service that builds its own queries hides what the database is asked and makes
a button press open connections nobody counted. Functions here take the session first, are typed, and never
commit; services compose them and own the transaction of background work, handlers use the update's session.
"""
