"""Every credential-chain failure is one kind, and its hint is one whole sentence naming the fix."""

from __future__ import annotations

from typing import Any

import pytest
from botocore import exceptions as bex
from botocore.exceptions import ClientError

from lambdatop.aws.credentials import credential_hint
from lambdatop.aws.errors import NoAnswerError, classify


def _answer(code: str, status: int = 403) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": "x"}, "ResponseMetadata": {"HTTPStatusCode": status}}, "ListFunctions"
    )


CREDENTIAL_FAILURES: list[BaseException] = [
    _answer("ExpiredToken"),
    _answer("ExpiredTokenException"),
    _answer("RequestExpired"),
    _answer("UnrecognizedClientException"),  # was read as "denied"
    _answer("InvalidClientTokenId"),
    _answer("InvalidSignatureException"),
    _answer("SignatureDoesNotMatch"),
    bex.SSOTokenLoadError(error_msg="Token for corp does not exist"),
    bex.UnauthorizedSSOTokenError(),
    bex.TokenRetrievalError(provider="sso", error_msg="refresh failed"),
    bex.CredentialRetrievalError(provider="custom-process", error_msg="vault is sealed"),
    bex.CredentialRetrievalError(provider="container-role", error_msg="connection refused"),
    bex.RefreshWithMFAUnsupportedError(),
    bex.NoCredentialsError(),
    bex.PartialCredentialsError(provider="env", cred_var="AWS_SECRET_ACCESS_KEY"),
    bex.ProfileNotFound(profile="nope"),
    bex.InfiniteLoopConfigError(source_profile="a", visited_profiles=["a", "b"]),
]


@pytest.mark.parametrize("exc", CREDENTIAL_FAILURES, ids=lambda e: type(e).__name__ + ":" + str(e)[:30])
def test_every_credential_failure_is_the_one_credentials_kind(exc: BaseException) -> None:
    assert classify(exc).kind == "credentials"


def test_a_real_denial_is_still_a_denial() -> None:
    assert classify(_answer("AccessDeniedException", 400)).kind == "denied"


def test_no_answer_says_how_long_it_waited() -> None:
    failure = classify(NoAnswerError(15))
    assert (failure.kind, failure.reason) == ("timeout", "no answer in 15 s")


PROFILES: dict[str, dict[str, Any]] = {
    "corp": {"sso_session": "corp", "sso_account_id": "123456789012", "sso_role_name": "Admin"},
    "legacy": {"sso_start_url": "https://example.awsapps.com/start", "sso_region": "us-east-1"},
    "admin": {"role_arn": "arn:aws:iam::123456789012:role/Admin", "source_profile": "corp"},
    "vault": {"credential_process": "aws-vault export --format=json prod"},
    "mfa": {"role_arn": "arn:aws:iam::1:role/R", "mfa_serial": "arn:aws:iam::1:mfa/me", "source_profile": "keys"},
    "keys": {},
}


@pytest.mark.parametrize(
    ("exc", "profile"),
    [
        (bex.UnauthorizedSSOTokenError(), "corp"),
        (bex.SSOTokenLoadError(error_msg="Token for corp does not exist"), "corp"),
        (bex.TokenRetrievalError(provider="sso", error_msg="x"), "legacy"),
        (_answer("ExpiredTokenException"), "corp"),  # the role credentials SSO gave have expired
    ],
)
def test_an_expired_sso_session_says_exactly_what_to_run(exc: BaseException, profile: str) -> None:
    hint = credential_hint(exc, profile, PROFILES, method="sso")
    assert hint == f"AWS SSO session for profile {profile} has expired: run `aws sso login --profile {profile}`."


def test_an_assume_role_profile_on_top_of_sso_names_the_profile_to_log_in_with() -> None:
    hint = credential_hint(bex.UnauthorizedSSOTokenError(), "admin", PROFILES)
    assert "`aws sso login --profile corp`" in hint


def test_a_failing_credential_process_names_the_profile_the_command_and_its_words() -> None:
    exc = bex.CredentialRetrievalError(provider="custom-process", error_msg="vault is sealed\n")
    hint = credential_hint(exc, "vault", PROFILES)
    assert "profile vault" in hint
    assert "aws-vault export" in hint
    assert "vault is sealed" in hint


def test_quoted_text_is_sanitised_and_cut_inside_a_whole_sentence() -> None:
    noisy = "\x1b[31mERROR\x1b[0m " + "the provider said a great many things " * 20 + "\nand a second line"
    exc = bex.CredentialRetrievalError(provider="custom-process", error_msg=noisy)
    hint = credential_hint(exc, "vault", PROFILES)
    assert "\x1b" not in hint
    assert "\n" not in hint
    assert "…" in hint  # the quote was cut, not the sentence
    assert hint.endswith("Fix it or log in to its provider.")
    assert len(hint) < 260


def test_mfa_refresh_says_to_restart_for_a_code() -> None:
    hint = credential_hint(bex.RefreshWithMFAUnsupportedError(), "mfa", PROFILES)
    assert "profile mfa" in hint
    assert "MFA code" in hint
    assert "restart" in hint


def test_expired_env_keys_say_which_credentials() -> None:
    hint = credential_hint(_answer("ExpiredToken"), None, {}, method="env")
    assert "AWS_ACCESS_KEY_ID" in hint
    assert "expired" in hint


def test_an_unknown_key_is_not_called_a_denial() -> None:
    hint = credential_hint(
        _answer("UnrecognizedClientException", 400), "keys", PROFILES, method="shared-credentials-file"
    )
    assert "does not recognise the access key" in hint
    assert "denied" not in hint.lower()


def test_a_rejected_signature_mentions_the_clock() -> None:
    hint = credential_hint(_answer("SignatureDoesNotMatch"), "keys", PROFILES)
    assert "clock" in hint


def test_no_credentials_lists_what_was_tried_and_suggests_the_demo() -> None:
    tried = ("environment variables AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY", "profile default in f and g")
    hint = credential_hint(bex.NoCredentialsError(), None, {}, tried=tried)
    assert "profile default" in hint
    assert tried[0] in hint
    assert tried[1] in hint
    assert "--demo" in hint


def test_a_missing_profile_names_it_and_the_ones_that_exist() -> None:
    hint = credential_hint(bex.ProfileNotFound(profile="prd"), "prd", PROFILES)
    assert "'prd'" in hint
    assert "corp" in hint
    assert "--profile" in hint


@pytest.mark.parametrize("exc", CREDENTIAL_FAILURES, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("profile", [None, "corp", "vault", "keys", "not-there"])
def test_every_hint_is_one_whole_line(exc: BaseException, profile: str | None) -> None:
    hint = credential_hint(exc, profile, PROFILES, method="custom-process")
    assert "\n" not in hint
    assert "\x1b" not in hint
    assert hint.endswith(".")
    assert (profile or "default") in hint or "container" in hint or "AWS SSO session for profile corp" in hint
