from pathlib import Path

from unionsync.config import Settings


def test_default_database_is_a_sqlite_file_in_the_data_dir(tmp_path: Path):
    settings = Settings(data_dir=tmp_path, database_url=None)
    assert settings.resolved_database_url() == f"sqlite:///{tmp_path / 'unionsync.db'}"


def test_secret_key_is_generated_once_and_kept_private(tmp_path: Path):
    first = Settings(data_dir=tmp_path, secret_key=None).resolved_secret_key()
    second = Settings(data_dir=tmp_path, secret_key=None).resolved_secret_key()
    assert first == second and len(first) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert Settings(data_dir=tmp_path, secret_key="given").resolved_secret_key() == "given"
