"""Credential-chain failures: which ones they are, and the one sentence that says what to do.

An expired SSO session, a `credential_process` that fails, an assume-role that needs a new MFA
code and a revoked key all stop every source at once. They are not per-source faults, so they
share one kind ("credentials") and one hint naming the profile and the fix. The hint is written
whole, one line, with any text quoted from AWS or from a credential command cut short inside it,
so a status bar that shows the hint never ends it mid-sentence.

No botocore call is made here: the session's configuration is passed in (`profiles`, `method`),
which keeps this module testable with plain dictionaries.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from lambdatop.model.sanitize import clean_text

# AWS answers that mean "these credentials are not (or no longer) valid", whatever the service.
EXPIRED_CODES = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired"})
UNRECOGNISED_CODES = frozenset({"UnrecognizedClientException", "InvalidClientTokenId", "InvalidAccessKeyId"})
SIGNATURE_CODES = frozenset({"InvalidSignatureException", "SignatureDoesNotMatch"})
CREDENTIAL_CODES = EXPIRED_CODES | UNRECOGNISED_CODES | SIGNATURE_CODES

# How long a quoted reason (a credential command's stderr, botocore's message) may be in a hint.
_QUOTE_MAX = 90

Profiles = Mapping[str, Mapping[str, Any]]


def _credential_exception_types() -> tuple[type[BaseException], ...]:
    from botocore import exceptions as bex

    names = (
        "NoCredentialsError",
        "PartialCredentialsError",
        "CredentialRetrievalError",
        "TokenRetrievalError",
        "NoAuthTokenError",
        "SSOError",  # SSOTokenLoadError, UnauthorizedSSOTokenError
        "LoginError",  # `aws login` sessions (newer botocore)
        "RefreshWithMFAUnsupportedError",
        "ProfileNotFound",
        "InvalidConfigError",  # incl. InfiniteLoopConfigError (source_profile loops)
        "UnknownCredentialError",
    )
    return tuple(getattr(bex, name) for name in names if hasattr(bex, name))


def is_credential_error(exc: BaseException) -> bool:
    """True for every expired, missing, invalid or unresolvable credential, raised or answered."""
    from lambdatop.aws.errors import error_code

    return error_code(exc) in CREDENTIAL_CODES or isinstance(exc, _credential_exception_types())


def short_reason(exc: BaseException) -> str:
    """A few words for a source's status ("SSO session expired"); the hint says the rest."""
    from botocore import exceptions as bex

    from lambdatop.aws.errors import error_code

    code = error_code(exc)
    if code in EXPIRED_CODES:
        return "credentials expired"
    if code in UNRECOGNISED_CODES:
        return "access key not recognised"
    if code in SIGNATURE_CODES:
        return "request signature rejected"
    if isinstance(exc, bex.SSOError) or _provider(exc) == "sso":
        return "SSO session expired"
    if isinstance(exc, bex.CredentialRetrievalError):
        return f"{_provider_words(_provider(exc))} failed"
    if isinstance(exc, bex.RefreshWithMFAUnsupportedError):
        return "MFA code needed"
    if isinstance(exc, bex.ProfileNotFound):
        return "profile not found"
    if isinstance(exc, bex.NoCredentialsError):
        return "no credentials"
    return "credentials failed"


def credential_hint(
    exc: BaseException,
    profile: str | None,
    session_config: Profiles | None = None,
    *,
    method: str | None = None,
    tried: Sequence[str] = (),
) -> str:
    """One line naming the profile, what failed and the fix.

    `session_config` is the config file's profiles (botocore's `full_config["profiles"]`), used to
    tell SSO and assume-role profiles apart; `method` is botocore's name for where the current
    credentials came from (`env`, `sso`, `custom-process`, …); `tried` lists the places searched,
    for the no-credentials case.
    """
    from botocore import exceptions as bex

    from lambdatop.aws.errors import error_code

    name = profile or "default"
    profiles = session_config or {}
    sso_profile = _sso_profile(name, profiles)
    code = error_code(exc)
    provider = _provider(exc)

    if isinstance(exc, bex.ProfileNotFound):
        known = ", ".join(sorted(profiles)[:8]) or "none"
        return (
            f"AWS profile {name!r} is not defined in the AWS config or credentials files "
            f"(profiles there: {known}): fix --profile / AWS_PROFILE, or add it with `aws configure --profile {name}`."
        )
    if sso_profile is not None and (
        isinstance(exc, bex.SSOError) or provider == "sso" or (code in EXPIRED_CODES and method in (None, "sso"))
    ):
        return f"AWS SSO session for profile {sso_profile} has expired: run `aws sso login --profile {sso_profile}`."
    if isinstance(exc, bex.SSOError) or provider == "sso":
        return f"AWS SSO session for profile {name} has expired: run `aws sso login --profile {name}`."
    if _is_login_error(exc):
        return f"The `aws login` session for profile {name} has expired: run `aws login --profile {name}`."
    if isinstance(exc, bex.RefreshWithMFAUnsupportedError):
        return f"The assumed role of profile {name} expired and needs a new MFA code: restart lambdatop to enter one."
    if isinstance(exc, bex.CredentialRetrievalError | bex.TokenRetrievalError):
        return _retrieval_hint(name, provider, _quote(exc.kwargs.get("error_msg", str(exc))), profiles)
    if isinstance(exc, OSError) and _profile_value(name, profiles, "credential_process"):
        command = _command_name(name, profiles)
        return (
            f"The credential_process of profile {name} could not run {command} ({_quote(str(exc))}): fix the command."
        )
    if isinstance(exc, bex.PartialCredentialsError):
        reason = _quote(str(exc))
        return f"Incomplete AWS credentials for profile {name} ({reason}): supply both the key id and the secret."
    if isinstance(exc, bex.InvalidConfigError):
        return f"The AWS configuration of profile {name} is invalid ({_quote(str(exc))}): fix ~/.aws/config."
    if isinstance(exc, bex.NoCredentialsError):
        places = "; ".join(tried) if tried else "the AWS default chain"
        return (
            f"No AWS credentials found for profile {name}. Tried: {places}. "
            "Configure them (`aws configure` or `aws sso login`), pass --profile, or try `lambdatop --demo`."
        )
    if code in EXPIRED_CODES:
        return f"{_source_words(method, name)} have expired: {_renew_words(method, name)}."
    if code in UNRECOGNISED_CODES:
        return (
            f"AWS does not recognise the access key of {_source_words(method, name).lower()} "
            "(unknown, revoked, or a session token missing): check or renew them."
        )
    if code in SIGNATURE_CODES:
        return (
            f"AWS rejected the request signature made with {_source_words(method, name).lower()}: "
            "the secret key is wrong, or this machine's clock is off by more than 5 minutes."
        )
    return f"The AWS credentials of profile {name} failed ({_quote(str(exc))}): check them."


def tried_places(session: Any, profile: str | None, env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Where botocore really looked, in its order (env keys are skipped when --profile was given)."""
    env = os.environ if env is None else env
    name = profile or "default"
    methods = [p.METHOD for p in session.get_component("credential_provider").providers]
    places: list[str] = []
    if "env" in methods:
        places.append("environment variables AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY")
    else:
        places.append("not the environment variables (an explicit --profile skips them, as in the AWS CLI)")
    credentials_file = session.get_config_variable("credentials_file")
    config_file = session.get_config_variable("config_file")
    places.append(f"profile {name} in {credentials_file} and {config_file}")
    if "container-role" in methods and (
        env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") or env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
    ):
        places.append("the container credentials endpoint")
    if "iam-role" in methods and str(env.get("AWS_EC2_METADATA_DISABLED", "")).lower() != "true":
        places.append("the EC2 instance metadata service")
    return tuple(places)


# ---- helpers -------------------------------------------------------------------------------------


def _provider(exc: BaseException) -> str | None:
    kwargs = getattr(exc, "kwargs", None)
    if isinstance(kwargs, dict):
        value = kwargs.get("provider")
        return str(value) if value else None
    return None


def _is_login_error(exc: BaseException) -> bool:
    from botocore import exceptions as bex

    login_error = getattr(bex, "LoginError", None)
    return login_error is not None and isinstance(exc, login_error)


def _quote(text: object) -> str:
    """Someone else's words inside our sentence: one line, sanitised, cut short with an ellipsis."""
    cleaned = clean_text(str(text).strip(), max_len=_QUOTE_MAX).strip().rstrip(".")
    return cleaned or "no reason given"


def _profile_value(name: str, profiles: Profiles, key: str) -> Any:
    return profiles.get(name, {}).get(key)


def _sso_profile(name: str, profiles: Profiles) -> str | None:
    """The profile to `aws sso login` with: this one, or the SSO profile its source_profile chain ends at."""
    seen: set[str] = set()
    current: str | None = name
    while current is not None and current not in seen:
        seen.add(current)
        section = profiles.get(current, {})
        if section.get("sso_session") or section.get("sso_start_url"):
            return current
        source = section.get("source_profile")
        current = str(source) if source else None
    return None


def _command_name(name: str, profiles: Profiles) -> str:
    command = clean_text(str(_profile_value(name, profiles, "credential_process") or "").strip(), max_len=60)
    return f"`{command}`" if command else "its command"


def _provider_words(provider: str | None) -> str:
    return {
        "custom-process": "credential_process",
        "container-role": "container credentials",
        "iam-role": "instance metadata credentials",
        "assume-role": "assume-role",
        "assume-role-with-web-identity": "web identity",
        "sso": "SSO",
    }.get(provider or "", "credential provider")


def _retrieval_hint(name: str, provider: str | None, reason: str, profiles: Profiles) -> str:
    if provider == "custom-process":
        command = _command_name(name, profiles)
        return (
            f"The credential_process of profile {name} ({command}) failed: {reason}. Fix it or log in to its provider."
        )
    if provider == "container-role":
        return f"The container credentials endpoint failed ({reason}): check the task or pod role."
    if provider == "iam-role":
        return f"The EC2 instance metadata credentials failed ({reason}): check the instance role."
    if provider == "assume-role-with-web-identity":
        return f"Assuming the web-identity role of profile {name} failed ({reason}): check the token file and role."
    if provider == "assume-role":
        return f"Assuming the role of profile {name} failed ({reason}): check role_arn and its source credentials."
    return f"Fetching credentials for profile {name} failed ({reason}): check the profile's settings."


def _source_words(method: str | None, name: str) -> str:
    return {
        "env": "The credentials in AWS_ACCESS_KEY_ID / AWS_SESSION_TOKEN",
        "shared-credentials-file": f"The credentials of profile {name} in the credentials file",
        "config-file": f"The credentials of profile {name} in the config file",
        "custom-process": f"The credentials from profile {name}'s credential_process",
        "assume-role": f"The assumed-role credentials of profile {name}",
        "assume-role-with-web-identity": f"The web-identity credentials of profile {name}",
        "container-role": "The container role credentials",
        "iam-role": "The EC2 instance role credentials",
    }.get(method or "", f"The AWS credentials of profile {name}")


def _renew_words(method: str | None, name: str) -> str:
    return {
        "env": "export fresh ones and restart lambdatop",
        "shared-credentials-file": f"write fresh ones for {name} to ~/.aws/credentials",
        "config-file": f"write fresh ones for {name} to ~/.aws/config",
        "custom-process": "renew whatever the command reads (log in to its provider)",
        "assume-role": f"renew the source credentials of profile {name}",
        "container-role": "check the task or pod role",
        "iam-role": "check the instance role",
    }.get(method or "", f"log in again or refresh the credentials of profile {name}")
