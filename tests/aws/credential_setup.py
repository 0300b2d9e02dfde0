"""A throw-away AWS configuration in a temp dir: profiles, a switchable credential_process, an SSO cache.

`credential_process` points at a small script that answers from a state file, so a test can make
it fail and work again mid-run, the way a real credential helper does when its login lapses.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

PROCESS_SCRIPT = """\
import json, sys
state = json.load(open(sys.argv[1]))
if state.get("fail"):
    sys.stderr.write(state["fail"] + "\\n")
    sys.exit(1)
answer = {"Version": 1, "AccessKeyId": state["key"], "SecretAccessKey": state["secret"]}
if state.get("token"):
    answer["SessionToken"] = state["token"]
if state.get("expiration"):
    answer["Expiration"] = state["expiration"]
print(json.dumps(answer))
"""


class AwsConfigDir:
    def __init__(self, root: Path) -> None:
        self.home = root / "home"
        (self.home / ".aws").mkdir(parents=True, exist_ok=True)
        self.config = self.home / ".aws" / "config"
        self.credentials = self.home / ".aws" / "credentials"
        self.state = root / "process-state.json"
        self.script = root / "credential_helper.py"
        self.script.write_text(PROCESS_SCRIPT)
        self.credentials.write_text("")
        self.process_fails("not logged in to the vault")

    def env(self, **extra: str) -> dict[str, str]:
        """A complete environment for a subprocess: nothing of the developer's own AWS setup."""
        return {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_CACHE_HOME": str(self.home / ".cache"),
            "XDG_STATE_HOME": str(self.home / ".state"),
            "AWS_CONFIG_FILE": str(self.config),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.credentials),
            "AWS_EC2_METADATA_DISABLED": "true",
            **extra,
        }

    def write_config(self, region: str | None = "us-east-1", sso_portal: str | None = None) -> None:
        command = f"{shlex.quote(sys.executable)} {shlex.quote(str(self.script))} {shlex.quote(str(self.state))}"
        region_line = f"region = {region}\n" if region else ""
        self.config.write_text(
            f"[profile proc]\ncredential_process = {command}\n{region_line}\n"
            f"[profile corp]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Admin\n"
            f"{region_line}\n"
            f"[sso-session corp]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\n"
            "sso_registration_scopes = sso:account:access\n\n"
            f"[profile empty]\n{region_line}\n"
        )

    def process_fails(self, message: str) -> None:
        self.state.write_text(json.dumps({"fail": message}))

    def process_works(
        self, credentials: tuple[str, str], expires_in_s: float | None = None, token: str | None = None
    ) -> None:
        state: dict[str, str] = {"key": credentials[0], "secret": credentials[1]}
        if token is not None:
            state["token"] = token
        if expires_in_s is not None:
            at = datetime.now(UTC) + timedelta(seconds=expires_in_s)
            state["expiration"] = at.strftime("%Y-%m-%dT%H:%M:%SZ")
        self.state.write_text(json.dumps(state))

    def sso_login(self, session_name: str = "corp", valid_for_s: float = 3600) -> None:
        """What `aws sso login` leaves behind: a token in the SSO cache, keyed by the session name."""
        cache = self.home / ".aws" / "sso" / "cache"
        cache.mkdir(parents=True, exist_ok=True)
        expires = (datetime.now(UTC) + timedelta(seconds=valid_for_s)).strftime("%Y-%m-%dT%H:%M:%SZ")
        token = {
            "startUrl": "https://example.awsapps.com/start",
            "region": "us-east-1",
            "accessToken": "fresh-token",
            "expiresAt": expires,
        }
        name = hashlib.sha1(session_name.encode()).hexdigest()
        (cache / f"{name}.json").write_text(json.dumps(token))

    def sso_logout(self, session_name: str = "corp") -> None:
        name = hashlib.sha1(session_name.encode()).hexdigest()
        (self.home / ".aws" / "sso" / "cache" / f"{name}.json").unlink(missing_ok=True)
