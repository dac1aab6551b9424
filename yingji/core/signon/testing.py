"""Stand-ins for the bureau's directory in tests, on loopback ports.

- A real OpenLDAP directory: Debian's slapd, loaded from an LDIF, run as the current user from a temporary
  folder, stopped at the end (`running_directory`); `directory_settings` points the platform at it.
- A small OpenID Connect provider (`Provider`); `provider_settings` points the platform at it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

SLAPD = "/usr/sbin/slapd"
SLAPADD = "/usr/sbin/slapadd"
SUFFIX = "dc=yingji,dc=test"
ADMIN_DN = f"cn=admin,{SUFFIX}"
ADMIN_PASSWORD = "directory-admin"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"

CONFIG = """\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {folder}/slapd.pid
argsfile {folder}/slapd.args
database mdb
maxsize 16777216
suffix "{suffix}"
rootdn "{admin}"
rootpw {password}
directory {folder}/data
access to attrs=userPassword by self auth by anonymous auth by * none
access to * by * read
"""


@dataclass(frozen=True)
class Person:
    uid: str
    password: str
    name: str
    groups: tuple[str, ...] = ()
    region_code: str = ""  # departmentNumber: the division code a bureau's directory keeps for its staff
    credit_code: str = ""  # employeeNumber here: an enterprise's unified social credit code
    mobile: str = ""


def ldif(people: list[Person]) -> str:
    entries = [
        f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: yingji\no: yingji test directory\n",
        f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people\n",
        f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups\n",
    ]
    for person in people:
        lines = [f"dn: uid={person.uid},{PEOPLE}", "objectClass: inetOrgPerson", f"uid: {person.uid}",
                 f"cn: {person.name}", f"sn: {person.name[:1]}", f"userPassword: {person.password}"]
        if person.region_code:
            lines.append(f"departmentNumber: {person.region_code}")
        if person.credit_code:
            lines.append(f"employeeNumber: {person.credit_code}")
        if person.mobile:
            lines.append(f"mobile: {person.mobile}")
        entries.append("\n".join(lines) + "\n")
    for group in sorted({g for person in people for g in person.groups}):
        members = [f"member: uid={p.uid},{PEOPLE}" for p in people if group in p.groups]
        entries.append("\n".join([f"dn: cn={group},{GROUPS}", "objectClass: groupOfNames", f"cn: {group}",
                                  *members]) + "\n")
    return "\n".join(entries)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Directory:
    uri: str
    process: subprocess.Popen

    @contextmanager
    def hung(self) -> Iterator[None]:
        """The server stops answering while it keeps its port: connections open, no reply ever comes."""
        self.process.send_signal(signal.SIGSTOP)
        try:
            yield
        finally:
            self.process.send_signal(signal.SIGCONT)


@contextmanager
def running_directory(people: list[Person]) -> Iterator[Directory]:
    folder = Path(tempfile.mkdtemp(prefix="yingji-slapd-"))
    try:
        (folder / "data").mkdir()
        config = folder / "slapd.conf"
        config.write_text(CONFIG.format(folder=folder, suffix=SUFFIX, admin=ADMIN_DN, password=ADMIN_PASSWORD))
        (folder / "data.ldif").write_text(ldif(people), encoding="utf-8")
        subprocess.run([SLAPADD, "-q", "-f", str(config), "-l", str(folder / "data.ldif")], check=True,
                       capture_output=True)
        port = free_port()
        uri = f"ldap://127.0.0.1:{port}"
        # -d 0: in the foreground (so the test owns the process) and quiet.
        process = subprocess.Popen([SLAPD, "-f", str(config), "-h", uri + "/", "-d", "0"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 15
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"slapd did not start: {process.stderr.read().decode()[-2000:]}")
                    time.sleep(0.05)
            yield Directory(uri=uri, process=process)
        finally:
            process.send_signal(signal.SIGCONT)
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def directory_settings(settings, uri: str, **overrides) -> None:
    """Point the platform's LDAP sign-on at `uri` (pytest-django's `settings` fixture)."""
    backend = "yingji.core.signon.ldap.DirectoryLDAPBackend"
    if backend not in settings.AUTHENTICATION_BACKENDS:
        settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, backend]
    settings.AUTH_LDAP_SERVER_URI = uri
    settings.AUTH_LDAP_BIND_DN = ""
    settings.AUTH_LDAP_BIND_PASSWORD = ""
    settings.LDAP_USER_DN_TEMPLATE = f"uid=%(user)s,{PEOPLE}"
    settings.LDAP_GROUP_SEARCH_BASE = GROUPS
    settings.LDAP_GROUP_TYPE = "groupOfNames"
    settings.SSO_REGION_ATTRIBUTE = "departmentNumber"
    settings.SSO_ENTERPRISE_ATTRIBUTE = "employeeNumber"
    for name, value in overrides.items():
        setattr(settings, name, value)


# ---- a stand-in OpenID Connect provider -------------------------------------------------------------------------


class Provider:
    """A tiny OpenID Connect provider on a loopback port: discovery, authorize (the person is already signed in
    there: `signed_in` names whose claims it hands out), token (with PKCE), userinfo and JWKS, RS256 keys made for
    the test. `slow` makes every answer wait that many seconds; `signing_key` may be swapped for a stranger's."""

    client_id = "yingji"
    client_secret = "yingji-secret"

    def __init__(self, people: dict[str, dict]) -> None:
        self.people = people
        self.signed_in = ""
        self.slow = 0.0
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.signing_key = self.key
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, str] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Provider:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def discovery(self) -> dict:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def jwks(self) -> dict:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": "test-key", "alg": "RS256", "use": "sig"}]}

    def authorize(self, query: dict[str, str]) -> str:
        """The redirect back to the platform, with a code for whoever is signed in here."""
        assert query["client_id"] == self.client_id and query["response_type"] == "code"
        code = secrets.token_urlsafe(16)
        self.codes[code] = {**query, "username": self.signed_in}
        return f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"

    def token(self, form: dict[str, str]) -> tuple[int, dict]:
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or form.get("client_secret") != self.client_secret:
            return 400, {"error": "invalid_grant"}
        if grant.get("code_challenge"):
            digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["code_challenge"]:
                return 400, {"error": "invalid_grant"}
        now = int(time.time())
        id_token = jwt.encode({"iss": self.url, "aud": self.client_id, "sub": grant["username"], "iat": now,
                               "exp": now + 300, "nonce": grant.get("nonce")},
                              self.signing_key, algorithm="RS256", headers={"kid": "test-key"})
        access_token = secrets.token_urlsafe(16)
        self.tokens[access_token] = grant["username"]
        return 200, {"access_token": access_token, "token_type": "Bearer", "id_token": id_token, "expires_in": 300}

    def userinfo(self, authorization: str) -> tuple[int, dict]:
        username = self.tokens.get(authorization.removeprefix("Bearer "))
        if username is None:
            return 401, {"error": "invalid_token"}
        return 200, {"sub": username, **self.people[username]}


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def _json(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            time.sleep(provider.slow)
            url = urlsplit(self.path)
            query = dict(parse_qsl(url.query))
            if url.path == "/.well-known/openid-configuration":
                self._json(200, provider.discovery())
            elif url.path == "/jwks":
                self._json(200, provider.jwks())
            elif url.path == "/userinfo":
                self._json(*provider.userinfo(self.headers.get("Authorization", "")))
            elif url.path == "/authorize":
                self.send_response(302)
                self.send_header("Location", provider.authorize(query))
                self.end_headers()
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:
            time.sleep(provider.slow)
            length = int(self.headers.get("Content-Length", "0"))
            form = dict(parse_qsl(self.rfile.read(length).decode()))
            if urlsplit(self.path).path == "/token":
                self._json(*provider.token(form))
            else:
                self._json(404, {"error": "not_found"})

    return Handler


def provider_settings(settings, provider: Provider, **overrides) -> None:
    """Point the platform's OpenID Connect sign-on at `provider` through its discovery document."""
    backend = "yingji.core.signon.oidc.DirectoryOIDCBackend"
    if backend not in settings.AUTHENTICATION_BACKENDS:
        settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, backend]
    settings.OIDC_RP_CLIENT_ID = provider.client_id
    settings.OIDC_RP_CLIENT_SECRET = provider.client_secret
    settings.OIDC_OP_DISCOVERY_URL = f"{provider.url}/.well-known/openid-configuration"
    for name in ("OIDC_OP_AUTHORIZATION_ENDPOINT", "OIDC_OP_TOKEN_ENDPOINT", "OIDC_OP_USER_ENDPOINT",
                 "OIDC_OP_JWKS_ENDPOINT"):
        setattr(settings, name, "")
    settings.SSO_REGION_ATTRIBUTE = "region_code"
    settings.SSO_ENTERPRISE_ATTRIBUTE = "credit_code"
    for name, value in overrides.items():
        setattr(settings, name, value)
