"""A fake MEGA API server on 127.0.0.1 that the real ``async-mega-py`` client talks to.

It speaks enough of MEGA's JSON command protocol (``POST /cs?id=..&sid=..``
with a list of ``{"a": <command>, ...}`` objects) for the library to log in,
list the cloud drive, create folders, upload files, export links and
download, and it checks what it receives with its own (independent)
implementation of MEGA's crypto:

* login v2: ``us0`` gives the salt; ``us`` must carry the PBKDF2-derived
  user hash, and it answers with the master key encrypted with the password
  key, the RSA private key encrypted with the master key, and the session id
  RSA-encrypted with that key (``csid``), as MEGA does. Optionally it first
  answers ``402`` with an ``X-Hashcash`` proof-of-work challenge (as MEGA
  has done since 2025) and verifies the solution.
* every other command needs a valid ``sid`` (``-15`` ESID otherwise).
* ``p`` (put nodes) checks the parent, decrypts the node key with the
  account's master key and the attributes with the node key, refuses names
  MEGA refuses, accepts each upload completion handle only once, and for
  files decrypts the uploaded ciphertext and verifies the CBC-MAC
  (meta-MAC) embedded in the key, so a test knows the bytes arrived intact.
* the upload endpoint ``POST /ul/<token>/<offset>`` only takes chunks on
  MEGA's chunk boundaries, within the announced size, and answers the
  completion handle when the file is complete.

Fault injection: ``fail_next(code=-3, times=2)``, ``expire_sessions()``,
``down = True`` (503 for everything), ``await go_offline()`` / ``go_online()``
(connection refused / reset). Counters: ``uploads``, ``folders_created``,
``logins``, ``stats.commands``... Any protocol violation is recorded in
``violations`` (tests assert it stays empty) and answered with an error code.

Hook the library to it with ``fake.patch_library(monkeypatch)`` (it patches
the class attribute ``mega.api.MegaAPI._entrypoint``), or ``with fake.hooked():``.
"""

from __future__ import annotations

import base64
import collections
import contextlib
import dataclasses
import hashlib
import hmac
import json
import logging
import secrets
import struct
import time
from collections.abc import Iterator
from typing import Any

import yarl
from aiohttp import web
from Crypto.Cipher import AES
from Crypto.PublicKey import RSA

logger = logging.getLogger(__name__)

__all__ = ["FakeAccount", "FakeMegaServer", "FakeNode", "decrypt_attributes", "decrypt_file"]

FORBIDDEN_NAME_CHARS = '"*/:<>?\\|'

# MEGA error codes used here
EINTERNAL, EARGS, EAGAIN, ERATELIMIT = -1, -2, -3, -4
ERANGE, ENOENT, EACCESS, EEXIST, EKEY, ESID = -7, -9, -11, -12, -14, -15

HASHCASH_TOKENS = 262_144  # 2**18 copies of the 48-byte token, as MEGA does


# ---------------------------------------------------------------------------
# Crypto, written independently of mega.crypto on purpose
# ---------------------------------------------------------------------------


def b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def b64d(data: str) -> bytes:
    if not isinstance(data, str):
        raise ValueError("expected a base64 string")
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


def _ecb_encrypt(data: bytes, key: bytes) -> bytes:
    return AES.new(key, AES.MODE_ECB).encrypt(data)


def _ecb_decrypt(data: bytes, key: bytes) -> bytes:
    if len(data) % 16:
        raise ValueError("key material is not a multiple of 16 bytes")
    return AES.new(key, AES.MODE_ECB).decrypt(data)


def _mpi(value: int) -> bytes:
    raw = value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")
    return struct.pack(">H", value.bit_length()) + raw


def _xor_words(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b, strict=True))


def encrypt_attributes(attrs: dict[str, Any], key: bytes) -> str:
    raw = b"MEGA" + json.dumps(attrs).encode()
    raw += b"\0" * (-len(raw) % 16)
    return b64e(AES.new(key, AES.MODE_CBC, b"\0" * 16).encrypt(raw))


def decrypt_attributes(a: str, key: bytes) -> dict[str, Any]:
    """Decrypt a node's ``a`` with its 16-byte node key; ValueError if it isn't MEGA attrs."""
    raw = b64d(a)
    if not raw or len(raw) % 16:
        raise ValueError("attributes are not a multiple of 16 bytes")
    plain = AES.new(key, AES.MODE_CBC, b"\0" * 16).decrypt(raw).rstrip(b"\0")
    if not plain.startswith(b'MEGA{"'):
        raise ValueError("attributes do not decrypt to MEGA{...} (wrong key?)")
    attrs = json.loads(plain[4:].decode("utf-8"))
    if not isinstance(attrs, dict):
        raise ValueError("attributes are not an object")
    return attrs


def chunk_boundaries(size: int) -> list[tuple[int, int]]:
    """MEGA's chunking: 128 KiB, 256 KiB, ... up to 1 MiB, then 1 MiB each; the last may be shorter."""
    out: list[tuple[int, int]] = []
    offset, step = 0, 0x20000
    while offset + step < size:
        out.append((offset, step))
        offset += step
        if step < 0x100000:
            step += 0x20000
    out.append((offset, size - offset))
    return out


def split_file_key(full_key: bytes) -> tuple[bytes, bytes, bytes]:
    """32-byte file key -> (16-byte AES key, 8-byte nonce, 8-byte meta-MAC)."""
    if len(full_key) != 32:
        raise ValueError(f"a file key has 32 bytes, got {len(full_key)}")
    aes_key = _xor_words(full_key[:16], full_key[16:])
    return aes_key, full_key[16:24], full_key[24:32]


def decrypt_file(ciphertext: bytes, full_key: bytes) -> bytes:
    """Decrypt a MEGA file (AES-CTR) and verify its CBC-MAC against the key's meta-MAC."""
    aes_key, nonce, meta_mac = split_file_key(full_key)
    plain = AES.new(aes_key, AES.MODE_CTR, nonce=nonce, initial_value=0).decrypt(ciphertext)
    file_mac = b"\0" * 16
    if plain:
        for offset, size in chunk_boundaries(len(plain)):
            chunk = plain[offset : offset + size]
            chunk += b"\0" * (-len(chunk) % 16)
            chunk_mac = AES.new(aes_key, AES.MODE_CBC, nonce + nonce).encrypt(chunk)[-16:]
            file_mac = _ecb_encrypt(_xor_words(file_mac, chunk_mac), aes_key)
    m = struct.unpack(">4I", file_mac)
    computed = struct.pack(">2I", m[0] ^ m[1], m[2] ^ m[3])
    if not hmac.compare_digest(computed, meta_mac):
        raise ValueError("MAC mismatch: the uploaded bytes do not match the key")
    return plain


def hashcash_threshold(easiness: int) -> int:
    return (((easiness & 63) << 1) + 1) << ((easiness >> 6) * 7 + 3)


def hashcash_valid(token: bytes, nonce: bytes, easiness: int) -> bool:
    digest = hashlib.sha256(nonce + token * HASHCASH_TOKENS).digest()
    return int.from_bytes(digest[:4], "big") <= hashcash_threshold(easiness)


_RSA_CACHE: dict[int, RSA.RsaKey] = {}


def _rsa_key(bits: int) -> RSA.RsaKey:
    if bits not in _RSA_CACHE:
        _RSA_CACHE[bits] = RSA.generate(bits)
    return _RSA_CACHE[bits]


_PBKDF2_CACHE: dict[str, tuple[bytes, bytes]] = {}


def _derive_password_key(password: str) -> tuple[bytes, bytes]:
    """(salt, PBKDF2-SHA512 key) for MEGA v2 accounts; one salt per password per process keeps tests fast."""
    if password not in _PBKDF2_CACHE:
        salt = secrets.token_bytes(32)
        _PBKDF2_CACHE[password] = salt, hashlib.pbkdf2_hmac("sha512", password.encode(), salt, 100_000, 32)
    return _PBKDF2_CACHE[password]


def _handle(nbytes: int = 6) -> str:
    return b64e(secrets.token_bytes(nbytes))


# ---------------------------------------------------------------------------
# The account and its nodes
# ---------------------------------------------------------------------------

FILE, FOLDER, ROOT, INBOX, TRASH = 0, 1, 2, 3, 4


@dataclasses.dataclass
class FakeNode:
    handle: str
    parent: str
    type: int
    a: str = ""
    k: str = ""  # node key encrypted with the master key (base64)
    ts: int = dataclasses.field(default_factory=lambda: int(time.time()))
    size: int | None = None
    ciphertext: bytes | None = None
    public_handle: str | None = None
    name: str = ""  # decrypted by the fake, for tests

    @property
    def is_file(self) -> bool:
        return self.type == FILE

    @property
    def is_folder(self) -> bool:
        return self.type == FOLDER


class FakeAccount:
    def __init__(self, email: str, password: str, *, rsa_bits: int = 2048) -> None:
        self.email = email.lower()
        self.user_handle = _handle(8)
        self.since = int(time.time())
        self._salt, derived = _derive_password_key(password)
        self._password_key = derived[:16]
        self._user_hash = b64e(derived[16:])
        self.master_key = secrets.token_bytes(16)

        rsa = _rsa_key(rsa_bits)
        p, q = int(rsa.p), int(rsa.q)
        phi = (p - 1) * (q - 1)
        self._rsa_n = p * q
        self._rsa_e = 65537
        d = pow(self._rsa_e, -1, phi)
        u = pow(p, -1, q)  # what the client's pycryptodome construct() checks: p*u = 1 (mod q)
        privk = _mpi(p) + _mpi(q) + _mpi(d) + _mpi(u)
        privk += b"\0" * (-len(privk) % 16)
        self._privk_enc = b64e(_ecb_encrypt(privk, self.master_key))
        self._k_enc = b64e(_ecb_encrypt(self.master_key, self._password_key))

        self.nodes: dict[str, FakeNode] = {}
        self.root = self._add(FakeNode(_handle(), "", ROOT, name="Cloud Drive"))
        self.inbox = self._add(FakeNode(_handle(), "", INBOX, name="Inbox"))
        self.trash = self._add(FakeNode(_handle(), "", TRASH, name="Rubbish Bin"))

    def _add(self, node: FakeNode) -> FakeNode:
        self.nodes[node.handle] = node
        return node

    # --- login material -------------------------------------------------

    def check_user_hash(self, uh: object) -> bool:
        return isinstance(uh, str) and hmac.compare_digest(uh.encode(), self._user_hash.encode())

    def login_response(self, sid_raw: bytes) -> dict[str, Any]:
        """csid = RSA(sid || padding) as an MPI, like MEGA; the client keeps the first 43 bytes."""
        modulus_len = (self._rsa_n.bit_length() + 7) // 8
        plain = sid_raw + secrets.token_bytes(modulus_len - 1 - len(sid_raw))
        m = int.from_bytes(plain, "big")
        assert m < self._rsa_n
        c = pow(m, self._rsa_e, self._rsa_n)
        return {
            "csid": b64e(_mpi(c)),
            "k": self._k_enc,
            "privk": self._privk_enc,
            "u": self.user_handle,
            "ach": 1,
        }

    @property
    def salt(self) -> str:
        return b64e(self._salt)

    # --- keys --------------------------------------------------------------

    def node_key(self, node: FakeNode) -> bytes:
        return _ecb_decrypt(b64d(node.k), self.master_key)

    def file_key(self, node: FakeNode) -> bytes:
        return self.node_key(node)

    # --- tree helpers for tests -------------------------------------------

    def serialize(self, node: FakeNode) -> dict[str, Any]:
        out: dict[str, Any] = {
            "h": node.handle,
            "p": node.parent,
            "u": self.user_handle,
            "t": node.type,
            "a": node.a,
            "ts": node.ts,
        }
        if node.k:
            out["k"] = f"{self.user_handle}:{node.k}"
        if node.size is not None:
            out["s"] = node.size
        return out

    def children(self, handle: str) -> list[FakeNode]:
        return [n for n in self.nodes.values() if n.parent == handle]

    def path_of(self, handle: str) -> str:
        parts: list[str] = []
        node = self.nodes[handle]
        while node.type not in (ROOT, INBOX, TRASH):
            parts.append(node.name)
            node = self.nodes[node.parent]
        if node.type != ROOT:
            parts.append(node.name)
        return "/" + "/".join(reversed(parts))

    def find(self, path: str) -> list[FakeNode]:
        """All nodes at this path (MEGA allows twins, so a list)."""
        path = "/" + path.strip("/")
        return [n for n in self.nodes.values() if n.type in (FILE, FOLDER) and self.path_of(n.handle) == path]

    def files(self) -> list[FakeNode]:
        return [n for n in self.nodes.values() if n.is_file]

    def folders(self) -> list[FakeNode]:
        return [n for n in self.nodes.values() if n.is_folder]

    def read_file(self, node: FakeNode | str) -> bytes:
        """Decrypt a stored file with the key from its ``p`` call; verifies the MAC."""
        if isinstance(node, str):
            node = self.nodes[node]
        assert node.is_file and node.ciphertext is not None
        return decrypt_file(node.ciphertext, self.file_key(node))


@dataclasses.dataclass
class _Fault:
    code: int | None
    status: int | None
    command: str | None
    after_commit: bool
    remaining: int


@dataclasses.dataclass
class _Upload:
    account: FakeAccount
    size: int
    chunks: dict[int, bytes] = dataclasses.field(default_factory=dict)
    completion: str | None = None
    used: bool = False


@dataclasses.dataclass
class FakeMegaStats:
    logins: int = 0
    folders_created: int = 0
    files_created: int = 0
    upload_urls: int = 0
    chunks: int = 0
    exports: int = 0
    hashcash_challenges: int = 0
    hashcash_solved: int = 0
    faults_injected: int = 0
    requests_while_down: int = 0
    commands: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)


class FakeMegaServer:
    """``async with FakeMegaServer() as fake: acc = fake.add_account(email, password)``"""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        rsa_bits: int = 2048,
        hashcash_easiness: int | None = 255,
    ) -> None:
        self.host = host
        self.port = 0
        self.rsa_bits = rsa_bits
        # 255 -> about one try in two succeeds (cheap); None disables the challenge
        self.hashcash_easiness = hashcash_easiness
        self.accounts: dict[str, FakeAccount] = {}
        self.sessions: dict[str, FakeAccount] = {}
        self.stats = FakeMegaStats()
        self.violations: list[str] = []
        self.down = False
        self._offline = False
        self._faults: list[_Fault] = []
        self._uploads: dict[str, _Upload] = {}
        self._completions: dict[str, _Upload] = {}
        self._downloads: dict[str, tuple[FakeAccount, str]] = {}
        self._challenges: set[str] = set()
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None

        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/cs", self._handle_cs)
        app.router.add_post("/ul/{token}/{offset}", self._handle_upload)
        app.router.add_get("/dl/{token}", self._handle_download)
        self._app = app

    # --- lifecycle -----------------------------------------------------------

    async def start(self) -> FakeMegaServer:
        self._runner = web.AppRunner(self._app, access_log=None)
        await self._runner.setup()
        await self._listen()
        return self

    async def _listen(self) -> None:
        assert self._runner is not None
        self._site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        await self._site.start()
        server = self._site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeMegaServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/cs"

    def patch_library(self, monkeypatch: Any) -> None:
        """Point async-mega-py at this server for the rest of the test."""
        from mega.api import MegaAPI

        monkeypatch.setattr(MegaAPI, "_entrypoint", yarl.URL(self.api_url))

    @contextlib.contextmanager
    def hooked(self) -> Iterator[FakeMegaServer]:
        from mega.api import MegaAPI

        old = MegaAPI._entrypoint
        MegaAPI._entrypoint = yarl.URL(self.api_url)  # type: ignore[misc]
        try:
            yield self
        finally:
            MegaAPI._entrypoint = old  # type: ignore[misc]

    # --- accounts & inspection ------------------------------------------------

    def add_account(self, email: str, password: str) -> FakeAccount:
        account = FakeAccount(email, password, rsa_bits=self.rsa_bits)
        self.accounts[account.email] = account
        return account

    @property
    def uploads(self) -> int:
        """Files created (upload completed by a ``p`` call)."""
        return self.stats.files_created

    @property
    def folders_created(self) -> int:
        return self.stats.folders_created

    @property
    def logins(self) -> int:
        return self.stats.logins

    # --- fault injection -----------------------------------------------------

    def fail_next(
        self,
        code: int | None = EAGAIN,
        times: int = 1,
        *,
        command: str | None = None,
        status: int | None = None,
        after_commit: bool = False,
    ) -> None:
        """The next ``times`` matching requests fail.

        ``command``: an API command (``"p"``, ``"u"``, ...), ``"upload"`` for the
        chunk endpoint, or None for any API request. ``status``: answer that
        HTTP status instead of an error code. ``after_commit``: carry the
        command out, then answer the error (a lost response).
        """
        self._faults.append(_Fault(code, status, command, after_commit, times))

    def expire_sessions(self) -> None:
        """Every current session becomes invalid: the next call with it gets -15 (ESID)."""
        self.sessions.clear()

    async def go_offline(self) -> None:
        """Stop listening (connection refused) and reset kept-alive connections."""
        self._offline = True
        if self._site is not None:
            await self._site.stop()
            self._site = None

    async def go_online(self) -> None:
        self._offline = False
        if self._site is None:
            await self._listen()

    def _take_fault(self, command: str | None) -> _Fault | None:
        for fault in self._faults:
            if fault.remaining > 0 and (fault.command is None or fault.command == command):
                if fault.command is None and command == "upload":
                    continue  # "any API request" does not cover the upload endpoint
                fault.remaining -= 1
                self.stats.faults_injected += 1
                return fault
        return None

    def _violation(self, message: str) -> None:
        logger.warning("fake MEGA: protocol violation: %s", message)
        self.violations.append(message)

    def _unavailable(self, request: web.Request) -> web.StreamResponse | None:
        if self._offline:
            # An outage on a kept-alive connection: drop it without answering.
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=503)  # never reaches the client: the connection is gone
        if self.down:
            self.stats.requests_while_down += 1
            return web.Response(status=503, text="Service Unavailable")
        return None

    # --- /cs -------------------------------------------------------------------

    async def _handle_cs(self, request: web.Request) -> web.StreamResponse:
        if (resp := self._unavailable(request)) is not None:
            return resp
        try:
            int(request.query["id"])
        except (KeyError, ValueError):
            self._violation("request without a numeric id parameter")
            return web.json_response(EARGS)
        try:
            commands = await request.json()
        except ValueError:
            self._violation("body is not JSON")
            return web.json_response(EARGS)
        if not isinstance(commands, list) or not commands or not all(isinstance(c, dict) for c in commands):
            self._violation(f"body is not a non-empty list of command objects: {commands!r}")
            return web.json_response(EARGS)
        names = [str(c.get("a")) for c in commands]
        for name in names:
            self.stats.commands[name] += 1

        fault = self._take_fault(names[0])
        if fault is not None and not fault.after_commit:
            if fault.status is not None:
                return web.Response(status=fault.status, text="injected failure")
            return web.json_response(fault.code)

        login_only = all(n in ("us0", "us") for n in names)
        account: FakeAccount | None = None
        if not login_only:
            sid = request.query.get("sid")
            if sid is None:
                return web.json_response(EACCESS)
            account = self.sessions.get(sid)
            if account is None:
                return web.json_response(ESID)

        if (
            "us" in names
            and self.hashcash_easiness is not None
            and not self._hashcash_ok(request.headers.get("X-Hashcash"))
        ):
            self.stats.hashcash_challenges += 1
            token = b64e(secrets.token_bytes(48))
            self._challenges.add(token)
            challenge = f"1:{self.hashcash_easiness}:{int(time.time())}:{token}"
            return web.Response(status=402, headers={"X-Hashcash": challenge}, text="-3")

        results = [self._dispatch(account, cmd) for cmd in commands]

        if fault is not None:  # after_commit
            if fault.status is not None:
                return web.Response(status=fault.status, text="injected failure")
            return web.json_response(fault.code)
        return web.json_response(results)

    def _hashcash_ok(self, header: str | None) -> bool:
        if not header:
            return False
        try:
            version, token, nonce_b64 = header.split(":")
            nonce = b64d(nonce_b64)
            token_bytes = b64d(token)
        except ValueError:
            self._violation(f"malformed X-Hashcash answer {header!r}")
            return False
        if version != "1" or token not in self._challenges or len(nonce) != 4 or len(token_bytes) != 48:
            self._violation(f"X-Hashcash answer for an unknown challenge: {header!r}")
            return False
        assert self.hashcash_easiness is not None
        if not hashcash_valid(token_bytes, nonce, self.hashcash_easiness):
            self._violation("X-Hashcash proof of work does not meet the threshold")
            return False
        self._challenges.discard(token)
        self.stats.hashcash_solved += 1
        return True

    def _dispatch(self, account: FakeAccount | None, cmd: dict[str, Any]) -> Any:
        name = cmd.get("a")
        handler = getattr(self, f"_cmd_{name}", None)
        if handler is None:
            self._violation(f"unsupported command {name!r}")
            return EARGS
        try:
            return handler(account, cmd)
        except (KeyError, ValueError, TypeError) as exc:
            self._violation(f"malformed {name!r} command: {exc!r}")
            return EARGS

    # --- commands ----------------------------------------------------------------

    def _cmd_us0(self, _account: FakeAccount | None, cmd: dict[str, Any]) -> Any:
        account = self.accounts.get(str(cmd["user"]).lower())
        if account is None:
            return ENOENT
        return {"v": 2, "s": account.salt}

    def _cmd_us(self, _account: FakeAccount | None, cmd: dict[str, Any]) -> Any:
        account = self.accounts.get(str(cmd["user"]).lower())
        if account is None or not account.check_user_hash(cmd.get("uh")):
            return ENOENT  # what MEGA answers for a wrong e-mail or password
        sid_raw = b"\x01" + secrets.token_bytes(42)  # non-zero first byte: survives the int round trip
        self.sessions[b64e(sid_raw)] = account
        self.stats.logins += 1
        return account.login_response(sid_raw)

    def _cmd_ug(self, account: FakeAccount, _cmd: dict[str, Any]) -> Any:
        return {
            "u": account.user_handle,
            "email": account.email,
            "since": account.since,
            "ipcc": "RU",
            "name": account.email.split("@")[0],
            "s": 1,
        }

    def _cmd_f(self, account: FakeAccount, cmd: dict[str, Any]) -> Any:
        if cmd.get("c") != 1:
            raise ValueError("f without c=1")
        return {
            "f": [account.serialize(n) for n in account.nodes.values()],
            "ok": [],
            "s": [],
            "u": [],
            "ph": [
                {"h": n.handle, "ph": n.public_handle, "ts": n.ts} for n in account.nodes.values() if n.public_handle
            ],
            "sn": _handle(8),
        }

    def _cmd_u(self, account: FakeAccount, cmd: dict[str, Any]) -> Any:
        size = cmd["s"]
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise ValueError(f"bad upload size {size!r}")
        token = _handle(12)
        self._uploads[token] = _Upload(account, size)
        self.stats.upload_urls += 1
        return {"p": f"{self.base_url}/ul/{token}"}

    def _cmd_p(self, account: FakeAccount, cmd: dict[str, Any]) -> Any:
        parent = account.nodes.get(cmd["t"])
        if parent is None:
            return ENOENT
        if parent.type not in (ROOT, FOLDER, INBOX, TRASH):
            self._violation("p into a file")
            return EARGS
        specs = cmd["n"]
        if not isinstance(specs, list) or not specs:
            raise ValueError("p without nodes")

        created: list[FakeNode] = []
        pending_completions: list[_Upload] = []
        for spec in specs:
            node_type = spec["t"]
            key = _ecb_decrypt(b64d(spec["k"]), account.master_key)
            if node_type == FOLDER:
                if len(key) != 16:
                    self._violation(f"folder key of {len(key)} bytes")
                    return EKEY
                attr_key = key
                node = FakeNode(_handle(), parent.handle, FOLDER, a=spec["a"], k=spec["k"])
            elif node_type == FILE:
                upload = self._completions.get(spec["h"])
                if upload is None or upload.account is not account:
                    self._violation(f"p with an unknown upload completion handle {spec['h']!r}")
                    return ENOENT
                if upload.used or upload in pending_completions:
                    self._violation("upload completion handle used twice")
                    return EEXIST
                attr_key, _nonce, _mac = split_file_key(key)
                ciphertext = b"".join(upload.chunks[o] for o in sorted(upload.chunks))
                try:
                    decrypt_file(ciphertext, key)
                except ValueError as exc:
                    self._violation(f"uploaded file does not verify: {exc}")
                    return EKEY
                node = FakeNode(
                    _handle(), parent.handle, FILE, a=spec["a"], k=spec["k"], size=upload.size, ciphertext=ciphertext
                )
                pending_completions.append(upload)
            else:
                self._violation(f"p with node type {node_type!r}")
                return EARGS
            try:
                attrs = decrypt_attributes(spec["a"], attr_key)
            except ValueError as exc:
                self._violation(f"node attributes: {exc}")
                return EKEY
            name = attrs.get("n")
            if not isinstance(name, str) or not name or any(ch in name for ch in FORBIDDEN_NAME_CHARS):
                self._violation(f"invalid node name {name!r}")
                return EARGS
            node.name = name
            created.append(node)

        for upload in pending_completions:
            upload.used = True
        for node in created:
            account._add(node)
            if node.is_folder:
                self.stats.folders_created += 1
            else:
                self.stats.files_created += 1
        return {"f": [account.serialize(n) for n in created]}

    def _cmd_l(self, account: FakeAccount, cmd: dict[str, Any]) -> Any:
        node = account.nodes.get(cmd["n"])
        if node is None:
            return ENOENT
        if not node.is_file:
            return EACCESS  # folders need a share (s2) first
        if node.public_handle is None:
            node.public_handle = _handle()
            self.stats.exports += 1
        return node.public_handle

    def _cmd_g(self, account: FakeAccount, cmd: dict[str, Any]) -> Any:
        if "n" in cmd:
            node = account.nodes.get(cmd["n"])
        else:
            node = next((n for n in account.nodes.values() if n.public_handle and n.public_handle == cmd["p"]), None)
        if node is None or not node.is_file:
            return ENOENT
        token = _handle(12)
        self._downloads[token] = (account, node.handle)
        return {"s": node.size, "at": node.a, "fa": "", "g": f"{self.base_url}/dl/{token}"}

    def _cmd_d(self, account: FakeAccount, cmd: dict[str, Any]) -> Any:
        node = account.nodes.get(cmd["n"])
        if node is None or node.type not in (FILE, FOLDER):
            return ENOENT
        doomed = [node.handle]
        i = 0
        while i < len(doomed):
            doomed.extend(c.handle for c in account.children(doomed[i]))
            i += 1
        for handle in doomed:
            account.nodes.pop(handle, None)
        return 0

    # --- upload / download endpoints -------------------------------------------

    async def _handle_upload(self, request: web.Request) -> web.StreamResponse:
        if (resp := self._unavailable(request)) is not None:
            return resp
        data = await request.read()
        fault = self._take_fault("upload")
        if fault is not None:
            if fault.status is not None:
                return web.Response(status=fault.status, text="injected failure")
            return web.Response(text=str(fault.code))

        upload = self._uploads.get(request.match_info["token"])
        if upload is None:
            self._violation("chunk for an unknown upload URL")
            return web.Response(text=str(ENOENT))
        try:
            offset = int(request.match_info["offset"])
        except ValueError:
            self._violation("non-numeric chunk offset")
            return web.Response(text=str(EARGS))
        if upload.completion is not None:
            self._violation("chunk after the upload was complete")
            return web.Response(text=str(EARGS))
        boundaries = dict(chunk_boundaries(upload.size))
        if offset not in boundaries or boundaries[offset] != len(data):
            self._violation(f"chunk at {offset} of {len(data)} bytes is not on MEGA's chunk boundaries")
            return web.Response(text=str(ERANGE))
        self.stats.chunks += 1
        upload.chunks[offset] = data
        if sum(len(c) for c in upload.chunks.values()) == upload.size and set(upload.chunks) == set(boundaries):
            upload.completion = b64e(secrets.token_bytes(27))
            self._completions[upload.completion] = upload
            return web.Response(text=upload.completion)
        return web.Response(text="")

    async def _handle_download(self, request: web.Request) -> web.StreamResponse:
        if (resp := self._unavailable(request)) is not None:
            return resp
        entry = self._downloads.get(request.match_info["token"])
        if entry is None:
            return web.Response(status=404)
        account, handle = entry
        node = account.nodes.get(handle)
        if node is None or node.ciphertext is None:
            return web.Response(status=404)
        return web.Response(body=node.ciphertext, content_type="application/octet-stream")
