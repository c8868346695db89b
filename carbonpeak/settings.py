"""Settings, read from the environment (prefix CARBONPEAK_) and passed explicitly; nothing reads them
at import.

| variable | default | meaning |
| --- | --- | --- |
| CARBONPEAK_DATABASE_URL | sqlite:///<data_dir>/carbonpeak.db | database (SQLite or postgresql+psycopg://…) |
| CARBONPEAK_DATA_DIR | DEFAULT_DATA_DIR | where the SQLite file, metering Parquet files and uploads live |
| CARBONPEAK_PLAN_FILE | the packaged Jinan plan | the plan loaded by `carbonpeak init` |
| CARBONPEAK_REGION | jinan | the region whose data set the engines read (services/dataset.py) |
| CARBONPEAK_DATASET | DEFAULT_DATASET_DIR | the data set's files, read while the store publishes none |
| CARBONPEAK_SECRET_KEY | generated per data dir | signs web sessions and CSRF tokens |
| CARBONPEAK_AUDIT_KEY | generated (`.audit_key`) | keys the audit chain (HMAC); kept out of the database |
| CARBONPEAK_AUDIT_HEAD_FILE | <data_dir>/audit-head.json | the exported chain head `audit verify` checks |
| CARBONPEAK_LANGUAGE | zh | default page language (zh or en) |
| CARBONPEAK_MAX_UPLOAD_BYTES | 10485760 (10 MiB) | largest uploaded file (web and API); larger: refused |
| CARBONPEAK_SECURE_COOKIES | auto | session cookie `Secure`: auto = over HTTPS (docs/operations.md) |
| CARBONPEAK_API_TOKEN_DAYS | 90 | lifetime of a new API token (rotate before: POST /api/auth/token/rotate) |
| CARBONPEAK_ALLOW_SELF_APPROVAL | false | one-person office: approve one's own upload (audited) |
| CARBONPEAK_LOG_LEVEL | info | server log level: debug, info, warning, error (`serve --log-level`) |
| CARBONPEAK_LOG_JSON | false | log lines as JSON objects (one per line) instead of text |
| CARBONPEAK_MQTT_HOST / _PORT | 127.0.0.1 / 1883 | the MQTT broker of the metering intake |
| CARBONPEAK_MQTT_PREFIX | cp | topic prefix: `<prefix>/<uscc>/<meter>/<quantity>` |
| CARBONPEAK_MQTT_CLIENT_ID | carbonpeak-metering | the subscriber's persistent session |
| CARBONPEAK_THREADS | cores, at most 4 | threads of a projection run (results do not depend on it) |
| CARBONPEAK_SPARK_MASTER | local[1] | Spark master of `metering aggregate --engine spark` (operations.md) |
| CARBONPEAK_NEW_PASSWORD | (none) | `user add` without `--password`: its password (else asked for) |

DEFAULT_DATA_DIR does not depend on the current directory: `var/` of the project's checkout (the
folder holding pyproject.toml beside the package, where `make run` runs), or, for a package installed
elsewhere, `$XDG_DATA_HOME/carbonpeak` (default `~/.local/share/carbonpeak`). DEFAULT_DATASET_DIR is
the packaged demo data set, carbonpeak/demo/data (its files: services/dataset.DataSetFiles); a
CARBONPEAK_DATASET that is not a folder stops the settings with an error naming the variable
(`current()`: an InputError, as for every setting that breaks its rule).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_PLAN_FILE = PACKAGE_DIR / "plan" / "data" / "jinan-2023.yaml"
DEFAULT_REGION = "jinan"  # the region of the packaged plan and demo data set
DEFAULT_DATASET_DIR = PACKAGE_DIR / "demo" / "data"  # the packaged demo data set (of DEFAULT_REGION)


def default_data_dir() -> Path:
    """`var/` of the project's checkout, or the user's data folder for an installed package."""
    if (PACKAGE_DIR.parent / "pyproject.toml").is_file():
        return PACKAGE_DIR.parent / "var"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "carbonpeak"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CARBONPEAK_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = None
    plan_file: Path = DEFAULT_PLAN_FILE
    region: str = Field(default=DEFAULT_REGION, pattern=r"^[a-z][a-z0-9_-]{0,31}$")
    dataset: Path = DEFAULT_DATASET_DIR
    secret_key: str | None = None
    audit_key: str | None = None
    audit_head_file: Path | None = None
    language: str = "zh"
    max_upload_bytes: int = 10 * 1024 * 1024
    allow_self_approval: bool = False
    api_token_days: int = Field(default=90, ge=1, le=3650)
    secure_cookies: Literal["auto", "true", "false"] = "auto"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_json: bool = False
    mqtt_host: str = "127.0.0.1"
    mqtt_port: int = Field(default=1883, ge=1, le=65535)
    mqtt_prefix: str = Field(default="cp", pattern=r"^[A-Za-z0-9_-]{1,32}$")
    mqtt_client_id: str = Field(default="carbonpeak-metering", min_length=1, max_length=64)
    spark_master: str = "local[1]"
    threads: int | None = Field(default=None, ge=1, le=64)
    new_password: str | None = Field(default=None, repr=False)  # `user add` only; never logged

    @field_validator("dataset")
    @classmethod
    def _dataset_is_a_folder(cls, value: Path) -> Path:
        if not value.is_dir():
            raise PydanticCustomError(
                "not_a_folder", "CARBONPEAK_DATASET: {path} is not a folder", {"path": str(value)}
            )
        return value

    @property
    def api_token_lifetime(self) -> dt.timedelta:
        return dt.timedelta(days=self.api_token_days)

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'carbonpeak.db').resolve()}"

    def resolved_secret_key(self) -> str:
        """The configured key, or one generated once and kept in the data dir."""
        return self.secret_key or _key_file(self.data_dir / ".secret_key")

    def resolved_audit_key(self) -> str:
        """The audit chain's HMAC key: configured, or generated once into `<data_dir>/.audit_key`."""
        return self.audit_key or _key_file(self.data_dir / ".audit_key")

    def resolved_audit_head_file(self) -> Path:
        return self.audit_head_file or self.data_dir / "audit-head.json"


@functools.cache
def current() -> Settings:
    """The settings of this process, read from the environment once, on first use. The entry points
    build or take them (the CLI through `cli.options.settings`, which is this function, cleared before
    each command; `create_app(settings)`) and pass them down; a service given no database or plan
    file falls back to these, never to a second reading of the environment. A value that breaks its
    rule is an InputError naming its variable (zh/en; the CLI prints it, exit 2), not a traceback."""
    try:
        return Settings()
    except ValidationError as exc:
        from dataclasses import replace

        from carbonpeak.validation import invalid, schema_problems

        problems = [
            replace(p, location=f"CARBONPEAK_{p.location.upper()}") for p in schema_problems(exc, "settings")
        ]
        raise invalid("settings", problems) from None


def _key_file(path: Path) -> str:
    """The key kept in `path`, generated (32 random bytes, owner-only file) on first use."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key
