"""How the receipt archive talks to MEGA: the changes it makes to ``async-mega-py`` and what MEGA's answers mean.

``MegaArchive`` (mega.py) owns the policy -- login, folders, idempotency, retries. This module is the
adapter under it: the library's ``post`` retry is bypassed (the archive retries with its own policy),
HTTP errors and MEGA's negative-number answers become exceptions instead of passing for a handle,
MEGA's error codes are classified (transient, session expired, refused), and the drive's listing is
indexed by (parent, name) so folders and files are found without asking again.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import aiohttp
import yarl
from mega.api import MegaAPI
from mega.client import MegaNzClient
from mega.core import MegaCore
from mega.data_structures import Node, NodeID, NodeType
from mega.errors import MegaNzError, RequestError, RetryRequestError

if TYPE_CHECKING:
    from mega.filesystem import UserFileSystem

ESID = -15
# Transient: try again (the index is re-read first, which also heals a stale cached folder id: -9).
RETRY_CODES = frozenset({-1, -3, -4, -5, -6, -7, -8, -9, -18, -19, -25, -400})
# Refused by MEGA for a reason that waiting seconds won't fix; the outbox retries much later.
# (-17/-24 over quota, -11 access, -2 args, -14 key, -16 blocked, -26 MFA, -29 paywall, ...)
LOGIN_REJECTED_CODES = frozenset({-2, -9, -11, -16, -26, -27, -28})
_NEGATIVE_NUMBER = re.compile(r"^\s*-\d+\s*$")


class MegaHTTPError(MegaNzError):
    """MEGA (or something in between) answered an HTTP error status."""

    def __init__(self, status: int, url: str) -> None:
        super().__init__(f"HTTP {status} ({url})")
        self.status = status


class MegaBadResponse(MegaNzError):
    """MEGA's API answered something that is not JSON."""

    def __init__(self, status: int, content_type: str) -> None:
        super().__init__(f"ответ не в JSON (HTTP {status}, {content_type or 'без Content-Type'})")
        self.status = status


def request_error(code: int) -> RequestError:
    if code == -3:
        return RetryRequestError()
    try:
        return RequestError(code)
    except KeyError:  # a code the library has no description for
        err = RequestError(f"ошибка MEGA {code}")
        err.code = code
        return err


class ArchiveMegaAPI(MegaAPI):
    """``MegaAPI`` with the retry policy left to ``MegaArchive`` and HTTP errors surfaced."""

    __slots__ = ()

    # The library wraps post() in its own retry (on -3 only, fixed sleeps of 0.5 s..60 s,
    # 10 times). MegaArchive retries every transient failure itself, with its own policy.
    post = getattr(MegaAPI.post, "__wrapped__", MegaAPI.post)

    @staticmethod
    async def _parse_response(response: aiohttp.ClientResponse) -> Any:
        # 402 is MEGA's hashcash challenge, handled by post() through the X-Hashcash header.
        if response.status >= 400 and response.status != 402:
            raise MegaHTTPError(response.status, str(response.url.with_query(None)))
        try:
            json_resp = await response.json()
        except (aiohttp.ContentTypeError, ValueError):
            # Not JSON (a proxy's error page...). aiohttp's own error would carry the URL, sid included.
            raise MegaBadResponse(response.status, response.headers.get("Content-Type", "")) from None
        resp = json_resp[0] if isinstance(json_resp, list) and len(json_resp) == 1 else json_resp
        if isinstance(resp, int) and not isinstance(resp, bool) and resp != 0:
            raise request_error(resp)
        return resp

    async def upload_chunk(self, upload_url: str | yarl.URL, offset: int, data: bytes) -> str:
        url = yarl.URL(upload_url) / str(offset)
        async with self._MegaAPI__request("POST", url, data=data) as resp:  # type: ignore[attr-defined]
            text = await resp.text()
            status = resp.status
        if status >= 400:
            raise MegaHTTPError(status, f"{url.origin()}/ul/...")  # the token in the path is a capability
        if _NEGATIVE_NUMBER.match(text):
            raise request_error(int(text))
        return text


class ArchiveClient(MegaNzClient):
    __slots__ = ()

    def __init__(self, session: aiohttp.ClientSession, *, user_agent: str | None = None) -> None:
        super().__init__(session, user_agent=user_agent)
        api = ArchiveMegaAPI(session)
        api.user_agent = self._api.user_agent
        self._api = api
        self._core = MegaCore(api)

    async def mkdir(self, name: str, parent_id: NodeID) -> Node:
        """A folder inside any folder (MegaNzClient.create_folder() only creates at the root and refuses "/")."""
        return await self._core.mkdir(name, parent_id)


class LoginRejected(Exception):
    def __init__(self, cause: RequestError) -> None:
        super().__init__(f"MEGA не принимает логин и пароль ({cause})")
        self.cause = cause


class NodeIndex:
    """Folders and files of the cloud drive by (parent id, name); the oldest wins among twins."""

    def __init__(self, root_id: NodeID) -> None:
        self.root_id = root_id
        self._folders: dict[tuple[NodeID, str], Node] = {}
        self._files: dict[tuple[NodeID, str], Node] = {}

    @classmethod
    def build(cls, fs: UserFileSystem) -> NodeIndex:
        index = cls(fs.root.id)
        nodes = sorted([*fs.folders, *fs.files], key=lambda n: (n.created_at, n.id))
        for node in nodes:
            index.add(node, replace=False)
        return index

    def add(self, node: Node, *, replace: bool = True) -> None:
        table = self._folders if node.type is NodeType.FOLDER else self._files
        key = (node.parent_id, node.attributes.name)
        if replace or key not in table:
            table[key] = node

    def folder(self, parent_id: NodeID, name: str) -> Node | None:
        return self._folders.get((parent_id, name))

    def file(self, parent_id: NodeID, name: str) -> Node | None:
        return self._files.get((parent_id, name))


def describe(exc: BaseException) -> str:
    """A short description for logs and ArchiveError messages, without URLs (they carry the session id)."""
    if isinstance(exc, RequestError) and exc.code is not None:
        return f"ошибка MEGA {exc.code}: {exc}"
    if isinstance(exc, aiohttp.ClientResponseError):
        return f"{type(exc).__name__}: HTTP {exc.status} {exc.message}"
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def is_retryable(exc: BaseException) -> bool:
    """Worth another attempt within seconds: network trouble, 5xx/408/429, a transient MEGA code."""
    if isinstance(exc, LoginRejected):
        return False
    if isinstance(exc, MegaBadResponse):
        return True
    if isinstance(exc, MegaHTTPError):
        return exc.status >= 500 or exc.status in (408, 429)
    if isinstance(exc, aiohttp.ClientResponseError):
        return exc.status >= 500 or exc.status in (408, 429) or exc.status < 400
    if isinstance(exc, RequestError):
        return exc.code is None or exc.code == ESID or exc.code in RETRY_CODES
    return isinstance(exc, aiohttp.ClientError | TimeoutError | ConnectionError | json.JSONDecodeError)
