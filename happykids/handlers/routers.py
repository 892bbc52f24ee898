"""Every feature's router, in the order the dispatcher tries them.

Order matters: errors first, then commands and admin features, media intake, the payment dialog, and
the catch-all mistake handling last. A new feature adds its router here.

The tree's synchronous filters are made to run on the event loop rather than in aiogram's thread pool
(handlers/inline_filters.py): a parent's press checks several of them.
"""

from aiogram import Router

from happykids.handlers import (
    errors,
    fallback,
    groups,
    help,
    mistakes,
    mydata,
    payment,
    project_steps,
    projects,
    receipts,
    renewals,
    review,
)
from happykids.handlers.admin import admin_router
from happykids.handlers.inline_filters import run_sync_filters_inline
from happykids.handlers.telegram_payments import router as telegram_payments_router


def feature_routers() -> list[Router]:
    routers = [
        errors.router,
        telegram_payments_router,  # pre-checkout answered at once; a successful_payment is never a "mistake"
        groups.router,  # /start in a group chat: points to the private chat
        help.router,
        admin_router,  # the director's panel; for non-admins the whole tree is skipped
        review.router,  # admins: decisions on receipts, /receipts, the rejection reason
        receipts.router,  # photos and files in any dialog state are receipts
        project_steps.router,  # extra questions, project receipts, offers: before the projects' catch-all
        projects.router,  # before the payment dialog: /start project_<id> lands on the project
        mydata.router,  # /mydata: what is stored about a parent's children, and deleting it
        payment.router,
        renewals.router,  # «Продлить» / «Мы больше не занимаемся» under a renewal reminder
        mistakes.router,
        fallback.router,
    ]
    run_sync_filters_inline(routers)
    return routers
