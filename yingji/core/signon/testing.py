"""A real OpenLDAP directory for tests: Debian's slapd on a loopback port, loaded from an LDIF, run as the current
user from a temporary folder, stopped at the end. `directory_settings` points the platform at it."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

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
