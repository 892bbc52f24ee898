"""Every feature's router, in the order the dispatcher tries them.

Order matters: errors first, then commands and admin features, media intake, the payment dialog, and
the catch-all mistake handling last. A new feature adds its router here.
"""

from aiogram import Router

from happykids.bot.handlers import errors, fallback, help, mistakes, payment


def feature_routers() -> list[Router]:
    return [
        errors.router,
        help.router,
        payment.router,
        mistakes.router,
        fallback.router,
    ]
