"""The director's panel: one parent router guarded by IsAdmin, re-checked on every message and press.

For anyone else the whole tree is skipped, so /admin falls through to the unknown-command answer and a
forged admin button reaches the general fallback, which changes nothing.
"""

from aiogram import Router

from happykids.handlers.admin import (
    admins,
    archive,
    audit,
    broadcast,
    catalog,
    catalog_file,
    contacts,
    links,
    menu,
    payments,
    project_fields,
    projects,
    renewals,
    stats,
    texts,
)
from happykids.handlers.admin.panel import AdminStateMiddleware, LeaveInputOnPress
from happykids.handlers.filters import IsAdmin

admin_router = Router(name="admin")
admin_router.message.filter(IsAdmin())
admin_router.callback_query.filter(IsAdmin())
# Outer: runs before the filters (so InputStep can read the panel's state) and for every update that
# passes this router, including presses handled further on.
admin_router.message.outer_middleware(AdminStateMiddleware())
admin_router.callback_query.outer_middleware(AdminStateMiddleware())
admin_router.callback_query.outer_middleware(LeaveInputOnPress())

admin_router.include_routers(
    menu.router,
    catalog.router,
    catalog_file.router,
    links.router,
    contacts.router,
    texts.router,
    admins.router,
    audit.router,
    payments.router,
    stats.router,
    broadcast.router,
    archive.router,
    projects.router,
    project_fields.router,  # a step of the new project dialog: the extra child fields
    renewals.router,  # «⏰ Заканчивается оплата», reminder settings, /paid_<receipt>
    menu.fallback_router,  # last: answers menu sections that have no handler yet
)

__all__ = ["admin_router"]
