"""Errors of carbonpeak: one hierarchy, mapped to HTTP status codes in one place (api/errors.py).

    CarbonpeakError                    base; `status` is the HTTP status an adapter should answer with
    ├── InputError          (422)      bad input: carries `problems`, every one found, not just the first
    │   ├── PlanError                  a plan file breaks the schema or a cross-reference rule
    │   ├── BalanceError               an energy balance or activity table the inventory cannot use
    │   ├── ScenarioError              a scenario or project file that breaks the schema or a rule
    │   └── UploadError                an uploaded template or CSV that fails validation
    ├── NotFound            (404)      a record that does not exist
    ├── PermissionDenied    (403)      the user's role or unit does not allow the action
    ├── NotAuthenticated    (401)      no valid session or token
    ├── Conflict            (409)      the action does not fit the record's state (e.g. approving a draft)
    ├── TooManyRequests     (429)      a limit on tries (log-ins, projection runs); `retry_after` seconds
    ├── IntegrityError      (500)      stored data fails a check it must pass (e.g. a broken audit chain)
    │   └── ReproductionError          an archived evaluation run no longer gives its recorded scores
    ├── ReadOnlySession     (500)      a bug: a change flushed inside a read-only session (store/db.reading)
    └── NotInitialised      (503)      the database has not been created (`carbonpeak init`)

Services raise these; they never raise HTTP exceptions. The CLI prints `problems` and exits 2 for
an InputError, 1 for the others, never with a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (`location`), which rule, and a message in zh and en.

    `location` reads like a path into the input: `programmes[2].tasks[4].lead_units[0]` for a plan
    file, `能源平衡表!R12C5` or `balance.csv:12:quantity` for a table.
    """

    location: str
    rule: str
    message_zh: str
    message_en: str = ""
    value: str | None = None
    severity: str = "error"  # "error" stores nothing; "warning" needs a comment to pass

    def as_dict(self) -> dict[str, str | None]:
        return {
            "location": self.location,
            "rule": self.rule,
            "message_zh": self.message_zh,
            "message_en": self.message_en or self.message_zh,
            "value": self.value,
            "severity": self.severity,
        }

    def __str__(self) -> str:
        text = self.message_en or self.message_zh
        return f"{self.location}: {text}"


class CarbonpeakError(Exception):
    status: int = 500

    def __init__(self, message: str, *, message_zh: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh or message

    def body(self) -> dict[str, object]:
        """The error as every JSON answer gives it: its class, en and zh text, and the problems."""
        return {"error": type(self).__name__, "message": self.message, "message_zh": self.message_zh}


class InputError(CarbonpeakError):
    status = 422

    def __init__(self, message: str, problems: list[Problem] | None = None, *, message_zh: str | None = None):
        super().__init__(message, message_zh=message_zh)
        self.problems: list[Problem] = list(problems or [])

    def body(self) -> dict[str, object]:
        return {**super().body(), "problems": [p.as_dict() for p in self.problems]}

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        lines = [self.message] + [f"  {p}" for p in self.problems]
        return "\n".join(lines)


class PlanError(InputError):
    pass


class BalanceError(InputError):
    pass


class ScenarioError(InputError):
    """A scenario or project file that breaks the schema or a rule; `problems` lists every fault."""


class UploadError(InputError):
    pass


class NotFound(CarbonpeakError):
    status = 404


class PermissionDenied(CarbonpeakError):
    status = 403


class NotAuthenticated(CarbonpeakError):
    status = 401


class Conflict(CarbonpeakError):
    status = 409


class TooManyRequests(CarbonpeakError):
    """Too many tries: failed log-ins of an account or address, or expensive runs (services/limits.py).
    `retry_after`: seconds until a try may succeed (the API's Retry-After header)."""

    status = 429

    def __init__(self, message: str, *, message_zh: str | None = None, retry_after: int = 1) -> None:
        super().__init__(message, message_zh=message_zh)
        self.retry_after = retry_after


class IntegrityError(CarbonpeakError):
    status = 500


class ReproductionError(IntegrityError):
    """An archived evaluation run that, re-run on its recorded inputs, gives other scores."""


class ReadOnlySession(CarbonpeakError):
    """A change flushed inside `store.db.reading()`: a bug (a GET that writes), not a user error."""

    status = 500


class NotInitialised(CarbonpeakError):
    """The database has no tables yet (`carbonpeak init` has not run against it), or, `outdated`,
    an older schema than the code's (`carbonpeak init` migrates it)."""

    status = 503

    def __init__(self, *, outdated: bool = False) -> None:
        if outdated:
            super().__init__(
                "the database has an older schema: run `carbonpeak init` to upgrade it (no data is lost)",
                message_zh="数据库结构版本较旧：请运行 carbonpeak init 升级（数据不会丢失）",
            )
            return
        super().__init__(
            "the database is not initialised: run `carbonpeak init` (or `make run`)",
            message_zh="数据库尚未初始化：请先运行 carbonpeak init（或 make run）",
        )


__all__ = [
    "BalanceError",
    "CarbonpeakError",
    "Conflict",
    "InputError",
    "IntegrityError",
    "NotAuthenticated",
    "NotFound",
    "NotInitialised",
    "PermissionDenied",
    "PlanError",
    "Problem",
    "ReadOnlySession",
    "ReproductionError",
    "ScenarioError",
    "TooManyRequests",
    "UploadError",
]
