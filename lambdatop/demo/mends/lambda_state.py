"""Function settings moto drops or cannot express, kept per (account, region, function).

Every Lambda request passes through the demo server, so this side state sees each change
moto sees: creation and configuration updates (LoggingConfig, DeadLetterConfig), reserved
concurrency, provisioned concurrency configs, and deletions.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

FunctionKey = tuple[str, str, str]  # account, region, function name
DEFAULT_LOG_LEVEL = "INFO"


@dataclass(slots=True)
class ProvisionedConfig:
    """One provisioned-concurrency config; the demo allocates at once (READY)."""

    requested: int
    last_modified: str

    def document(self) -> dict[str, Any]:
        return {
            "RequestedProvisionedConcurrentExecutions": self.requested,
            "AvailableProvisionedConcurrentExecutions": self.requested,
            "AllocatedProvisionedConcurrentExecutions": self.requested,
            "Status": "READY",
            "LastModified": self.last_modified,
        }


@dataclass(slots=True)
class FunctionExtras:
    logging: dict[str, str] = field(default_factory=dict)  # LoggingConfig fields as last set
    dead_letter_arn: str | None = None
    reserved: int | None = None
    provisioned: dict[str, ProvisionedConfig] = field(default_factory=dict)  # by qualifier


def split_function_ref(ref: str) -> tuple[str, str | None]:
    """(name, qualifier) from a name, `name:qualifier`, a partial ARN or a full ARN."""
    tail = ref.split(":function:", 1)[1] if ":function:" in ref else ref
    name, sep, qualifier = tail.partition(":")
    return name, (qualifier if sep and qualifier else None)


def logging_config(extras: FunctionExtras | None, function_name: str) -> dict[str, str]:
    """LoggingConfig as AWS returns it: always present, with the defaults filled in."""
    given = extras.logging if extras else {}
    log_format = given.get("LogFormat") or "Text"
    config = {"LogFormat": log_format}
    if log_format == "JSON":
        config["ApplicationLogLevel"] = given.get("ApplicationLogLevel") or DEFAULT_LOG_LEVEL
        config["SystemLogLevel"] = given.get("SystemLogLevel") or DEFAULT_LOG_LEVEL
    config["LogGroup"] = given.get("LogGroup") or f"/aws/lambda/{function_name}"
    return config


class LambdaState:
    """Thread-safe side state for every simulated account and region."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._functions: dict[FunctionKey, FunctionExtras] = {}

    def get(self, key: FunctionKey) -> FunctionExtras | None:
        with self._lock:
            return self._functions.get(key)

    def record_configuration(self, key: FunctionKey, request: dict[str, Any]) -> None:
        """Remember LoggingConfig / DeadLetterConfig from a Create or Update request body."""
        with self._lock:
            extras = self._functions.setdefault(key, FunctionExtras())
            logging = request.get("LoggingConfig")
            if isinstance(logging, dict):
                merged = {**extras.logging, **{k: str(v) for k, v in logging.items() if v}}
                if merged.get("LogFormat", "Text") != "JSON":
                    merged.pop("ApplicationLogLevel", None)
                    merged.pop("SystemLogLevel", None)
                extras.logging = merged
            dead_letter = request.get("DeadLetterConfig")
            if isinstance(dead_letter, dict) and "TargetArn" in dead_letter:
                # An empty TargetArn is how AWS clears the dead-letter queue.
                extras.dead_letter_arn = str(dead_letter["TargetArn"] or "") or None

    def forget(self, key: FunctionKey) -> None:
        with self._lock:
            self._functions.pop(key, None)

    def set_reserved(self, key: FunctionKey, reserved: int | None) -> None:
        with self._lock:
            self._functions.setdefault(key, FunctionExtras()).reserved = reserved

    def reserved_total(self, account: str, region: str, *, excluding: str | None = None) -> int:
        with self._lock:
            return sum(
                extras.reserved or 0
                for (acc, reg, name), extras in self._functions.items()
                if acc == account and reg == region and name != excluding
            )

    def unreserved_provisioned_total(
        self, account: str, region: str, *, excluding: tuple[str, str] | None = None
    ) -> int:
        """Provisioned concurrency of functions without a reservation (it draws on the
        unreserved pool). `excluding` is a (function, qualifier) about to be replaced."""
        with self._lock:
            total = 0
            for (acc, reg, name), extras in self._functions.items():
                if acc != account or reg != region or extras.reserved is not None:
                    continue
                for qualifier, config in extras.provisioned.items():
                    if (name, qualifier) != excluding:
                        total += config.requested
            return total

    def put_provisioned(self, key: FunctionKey, qualifier: str, config: ProvisionedConfig) -> None:
        with self._lock:
            self._functions.setdefault(key, FunctionExtras()).provisioned[qualifier] = config

    def delete_provisioned(self, key: FunctionKey, qualifier: str) -> None:
        with self._lock:
            extras = self._functions.get(key)
            if extras is not None:
                extras.provisioned.pop(qualifier, None)

    def provisioned(self, key: FunctionKey) -> dict[str, ProvisionedConfig]:
        with self._lock:
            extras = self._functions.get(key)
            return dict(extras.provisioned) if extras else {}
