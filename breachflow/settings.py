"""One typed settings object, read from ``BREACHFLOW_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from platformdirs import user_config_path
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """breachflow configuration; every field maps to ``BREACHFLOW_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="BREACHFLOW_", env_file=".env", extra="ignore")

    home: Path = Field(default=Path(".breachflow"), description="case store root")
    templates_dir: Path = Field(default=REPO_ROOT / "templates")

    # Outbound email. Unset host means "no live relay": notices go to the outbox folder.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    # STARTTLS and SSL verify the relay's certificate and host name; a private CA is given as a PEM file.
    smtp_ca_file: Path | None = None
    # Turning verification off is explicit and logged (a test relay with a self-signed certificate, say).
    smtp_tls_verify: bool = True
    # Envelope and From address of notices; unset means the inquiry desk's email of the incident's business.
    mail_from: str | None = None
    # Email batches sent at once, one SMTP connection each; a crash leaves at most this many notices in doubt.
    email_concurrency: int = Field(default=4, ge=1, le=64)
    # Notice ledger: SQLite in the case folder by default; a PostgreSQL URL lets several workers share it.
    notification_ledger_url: str | None = None

    # The company profile: the fallback for business fields an intake leaves out (see breachflow/profile.py).
    # Nothing is shipped here: a notice never goes out signed with a value nobody entered.
    business_name: str | None = None
    business_address: str | None = None
    business_representative: str | None = None
    business_desk_name: str | None = None
    business_desk_phone: str | None = None
    business_desk_email: str | None = None
    business_desk_hours: str | None = None
    officer_email: str | None = None

    # Default owner of new prevention actions (e.g. the 個人情報保護管理者); unset means 未定.
    prevention_owner: str | None = None

    # Periodic leak checks: folders (or mounted shares) to scan, and an allow-list file.
    leakcheck_paths: list[Path] = Field(default_factory=list)
    leakcheck_allowlist: Path | None = None
    # Schedules of the periodic flows (cron, Asia/Tokyo).
    leakcheck_cron: str = "0 2 * * *"
    reminders_cron: str = "0 8 * * *"
    audit_cron: str = "30 8 * * *"

    # A company's own rule packs (a folder of *.yaml), loaded beside the shipped ones.
    rule_packs_dir: Path | None = None

    # Encryption at rest: the master key wraps every incident's data key. Give it as base64 of
    # 32 random bytes in BREACHFLOW_MASTER_KEY, or in a 0600 file named by BREACHFLOW_MASTER_KEY_FILE.
    master_key: SecretStr | None = None
    master_key_file: Path | None = None
    # The largest .xlsx accepted, as the total uncompressed size of its parts (a small zip can
    # unpack to gigabytes): 1 GiB.
    max_workbook_bytes: int = Field(default=1 << 30, ge=1)
    # Days after a case was opened before `breachflow case retention` lists it for purging.
    retention_days: int = Field(default=365, ge=1)
    # Demo mode: a labelled demo master key is created when none is configured, in demo_key_dir
    # (the user's config folder by default) - never inside home, beside the wrapped data keys.
    demo: bool = False
    demo_key_dir: Path = Field(default_factory=lambda: user_config_path("breachflow") / "demo-keys")

    @property
    def cases_dir(self) -> Path:
        """Folder holding one sub-folder per incident."""
        return self.home / "cases"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings from the environment, read once per process."""
    return Settings()
