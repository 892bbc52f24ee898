"""Before the bot starts: are the database server and Redis there and do they let us in? One sentence if not.

Without this, a PostgreSQL database that does not exist or refuses the login ends in a traceback from the
migrations (their first query swallows the error and Alembic fails later), and an unreachable Redis only
shows on the first parent's press, as an error on every update. Waiting does not fix a missing database or a
wrong password, and the operator is at the terminal right now: say what to change and stop (exit 2).
SQLite needs no check here: `load_settings` already made sure DATA_DIR can be written (config.py).
"""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import create_async_engine

from happykids.app.first_contact import StartupError
from happykids.config import Settings

CONNECT_TIMEOUT = 10.0  # seconds: a firewall that drops packets should not look like a hang

# PostgreSQL's SQLSTATE codes for "cannot get in" (https://www.postgresql.org/docs/current/errcodes-appendix.html)
_PG_REASONS = {
    "3D000": "базы «{db}» нет — создайте её (createdb {db}) или исправьте имя базы в DATABASE_URL",
    "28P01": "PostgreSQL не принял пароль пользователя «{user}» — исправьте пароль в DATABASE_URL",
    "28000": "PostgreSQL не пускает пользователя «{user}» (такой роли нет или её не пускает pg_hba.conf) — "
             "исправьте пользователя в DATABASE_URL или создайте роль",
    "42501": "пользователю «{user}» нельзя подключаться к базе «{db}» — дайте ему право CONNECT или укажите "
             "другого пользователя",
}


async def check_services(settings: Settings) -> None:
    """Raise StartupError naming DATABASE_URL or FSM_STORAGE_URL if its server cannot be used."""
    if settings.database_url and make_url(settings.database_url).get_backend_name() != "sqlite":
        await check_database(settings.database_url)
    if settings.fsm_storage_url:
        await check_redis(settings.fsm_storage_url)


async def check_database(url: str) -> None:
    parsed = make_url(url)
    where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    fields = {"db": parsed.database or "", "user": parsed.username or ""}
    engine = create_async_engine(url, connect_args={"timeout": CONNECT_TIMEOUT})
    try:
        async with engine.connect():
            return  # connecting is the whole check: the migrations run next
    except DBAPIError as exc:
        code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        reason = _PG_REASONS.get(str(code), "").format(**fields) or (f"PostgreSQL ответил: {_first_line(exc.orig)} — "
                                                               "проверьте DATABASE_URL")
    except (OSError, TimeoutError) as exc:  # refused, no such host, a firewall: nothing answers there
        reason = (f"по адресу {where} никто не отвечает ({_first_line(exc)}) — запустите PostgreSQL или исправьте "
                  "адрес в DATABASE_URL")
    except SQLAlchemyError as exc:
        reason = f"{_first_line(exc)} — исправьте DATABASE_URL"
    finally:
        await engine.dispose()
    raise StartupError(f"Не удаётся подключиться к базе из DATABASE_URL ({where}): {reason}.")


async def check_redis(url: str) -> None:
    from redis.asyncio import Redis  # the extra is installed: load_settings checked it
    from redis.exceptions import AuthenticationError, RedisError

    try:
        client = Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT, socket_timeout=CONNECT_TIMEOUT)
    except ValueError as exc:
        raise StartupError(f"FSM_STORAGE_URL — не адрес Redis ({exc}): укажите, например, "
                           "redis://127.0.0.1:6379/0.") from None
    kwargs = client.connection_pool.connection_kwargs
    where = f"{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}"
    try:
        await client.ping()
        return
    except AuthenticationError as exc:
        reason = f"Redis не принял пароль ({_first_line(exc)}) — исправьте пароль в FSM_STORAGE_URL"
    except (RedisError, OSError) as exc:
        reason = (f"там никто не отвечает ({_first_line(exc)}) — запустите Redis, исправьте FSM_STORAGE_URL или "
                  "уберите эту настройку, чтобы шаги диалогов хранились в базе")
    finally:
        await client.aclose()
    raise StartupError(f"Не удаётся подключиться к Redis из FSM_STORAGE_URL ({where}): {reason}.")


def _first_line(exc: BaseException | None) -> str:
    text = str(exc or "").strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]
