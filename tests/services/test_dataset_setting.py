"""The data set folder is a setting (CARBONPEAK_DATASET → Settings.dataset, carried by the Database
built from the settings; default the packaged carbonpeak/demo/data): while the store has published
nothing, the engines read that folder's files (services/dataset.DataSetFiles), none other."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from carbonpeak.cli import main
from carbonpeak.errors import InputError
from carbonpeak.i18n import t
from carbonpeak.services import budget, dataset, projection
from carbonpeak.settings import DEFAULT_DATASET_DIR, Settings, current
from carbonpeak.store.db import Database

REGION = "jinan"


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the packaged data set with PV capacity 2024, one balance row of 2024, the city's
    primary-sector electricity of January 2024 and its published population of 2024 changed."""
    folder = tmp_path_factory.mktemp("dataset") / "data"
    shutil.copytree(DEFAULT_DATASET_DIR, folder)
    rows = (folder / "indicators.csv").read_text(encoding="utf-8").splitlines()
    pv = next(r for r in rows if r.startswith(f"pv_capacity,{REGION},2024,"))
    _replace(folder / "indicators.csv", pv + "\n", _with_value(pv, 3, "9999") + "\n")
    balance = (folder / "energy-balance.csv").read_text(encoding="utf-8").splitlines()
    coal = next(r for r in balance if r.startswith(f"{REGION},2024,") and ",raw_coal," in r)
    more = f"{float(coal.split(',')[4]) + 100:.4f}"  # 100万t more raw coal burnt in 2024
    _replace(folder / "energy-balance.csv", coal + "\n", _with_value(coal, 4, more) + "\n")
    monthly = (folder / "electricity-monthly.csv").read_text(encoding="utf-8").splitlines()
    jan = next(r for r in monthly if r.startswith(f"electricity_primary,{REGION},2024,1,"))
    _replace(folder / "electricity-monthly.csv", jan + "\n", _with_value(jan, 4, "77.7") + "\n")
    published = (folder / "published.csv").read_text(encoding="utf-8").splitlines()
    pop = next(r for r in published if r.startswith(f"population,{REGION},current,2024,"))
    _replace(folder / "published.csv", pop + "\n", _with_value(pop, 4, "1111.1") + "\n")
    return folder


def _with_value(row: str, column: int, value: str) -> str:
    cells = row.split(",")
    cells[column] = value
    return ",".join(cells)


def _database(monkeypatch: pytest.MonkeyPatch, folder: Path | None) -> Database:
    """The database of the settings read from the environment, on an empty in-memory store."""
    if folder is None:
        monkeypatch.delenv("CARBONPEAK_DATASET", raising=False)
    else:
        monkeypatch.setenv("CARBONPEAK_DATASET", str(folder))
    return Database.from_settings(Settings(database_url="sqlite:///:memory:"))


def test_carbonpeak_dataset_is_read_by_settings_and_carried_by_the_database(
    monkeypatch: pytest.MonkeyPatch, changed: Path
) -> None:
    assert _database(monkeypatch, None).dataset == DEFAULT_DATASET_DIR
    db = _database(monkeypatch, changed)
    assert db.dataset == changed
    assert dataset.files_of(db).balance == changed / "energy-balance.csv"
    assert dataset.current(db).files == dataset.DataSetFiles.of(changed)


def test_the_fallback_reads_the_folder_of_the_setting(monkeypatch: pytest.MonkeyPatch, changed: Path) -> None:
    packaged, copy = _database(monkeypatch, None), _database(monkeypatch, changed)
    assert dataset.current(packaged).id != dataset.current(copy).id
    pv = dataset.dataset_observations(database=copy).get("pv_capacity", REGION)
    assert pv is not None and pv.value(2024) == 9999
    assert dataset.dataset_observations(database=packaged).get("pv_capacity", REGION).value(2024) != 9999
    co2 = dataset.dataset_observations(database=copy).get("co2_total", REGION)
    base = dataset.dataset_observations(database=packaged).get("co2_total", REGION)
    assert co2.value(2024) > base.value(2024) + 100  # 100万t raw coal: about 190万tCO2
    assert co2.value(2023) == base.value(2023)
    inv = dataset.current_inventory(copy)
    assert inv is not None and inv.rows != dataset.current_inventory(packaged).rows
    pop = dataset.dataset_observations(database=copy).get("population", REGION)
    assert pop is not None and pop.value(2024) == pytest.approx(1111.1)  # the demo model reads the folder
    assert dataset.dataset_observations(database=packaged).get("population", REGION).value(2024) != 1111.1
    history = projection.inventory_history(data=dataset.current(copy), region=REGION)
    packaged_history = projection.inventory_history(data=dataset.current(packaged), region=REGION)
    assert history.records[2024].population == pytest.approx(1111.1e4)  # persons
    assert packaged_history.records[2024].population != pytest.approx(1111.1e4)
    el = budget.fast_data(copy)["electricity"][REGION]["primary"][2024]
    assert el[0] == pytest.approx(77.7)
    assert budget.fast_data(packaged)["electricity"][REGION]["primary"][2024][0] != pytest.approx(77.7)


def test_a_folder_that_does_not_exist_is_named_with_the_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CARBONPEAK_DATASET", str(tmp_path / "missing"))
    with pytest.raises(ValidationError, match="CARBONPEAK_DATASET") as raised:
        Settings()
    assert str(tmp_path / "missing") in str(raised.value)
    (tmp_path / "file.csv").write_text("x\n", encoding="utf-8")
    monkeypatch.setenv("CARBONPEAK_DATASET", str(tmp_path / "file.csv"))
    with pytest.raises(ValidationError, match="CARBONPEAK_DATASET"):
        Settings()


def test_the_process_settings_name_a_bad_variable_in_zh_and_en(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """settings.current (the CLI's and the services' settings) turns a broken rule into an InputError
    located at the variable, texts from the catalogue; the CLI prints it and exits 2."""
    monkeypatch.setenv("CARBONPEAK_DATASET", str(tmp_path / "missing"))
    current.cache_clear()
    try:
        with pytest.raises(InputError) as raised:
            current()
        (found,) = raised.value.problems
        assert (found.location, found.rule) == ("CARBONPEAK_DATASET", "settings.not_a_folder")
        assert found.message_zh == t("validation.not_a_folder", "zh") and found.value == str(
            tmp_path / "missing"
        )
        assert "运行设置" in raised.value.message_zh
        with pytest.raises(SystemExit) as stop:
            main(["indicators", "--format", "json"])
        assert stop.value.code == 2
        err = capsys.readouterr().err
        assert "CARBONPEAK_DATASET" in err and "不是一个文件夹" in err and "Traceback" not in err
    finally:
        current.cache_clear()


def test_without_a_database_the_process_settings_choose(
    monkeypatch: pytest.MonkeyPatch, changed: Path
) -> None:
    """A service given no database reads the folder and region of the process's settings
    (settings.current), by default the packaged demo files and jinan."""
    current.cache_clear()
    try:
        assert dataset.files_of(None) == dataset.DataSetFiles.of(DEFAULT_DATASET_DIR)
        monkeypatch.setenv("CARBONPEAK_DATASET", str(changed))
        monkeypatch.setenv("CARBONPEAK_REGION", "qingdao")
        current.cache_clear()
        assert dataset.current().files == dataset.DataSetFiles.of(changed)
        assert dataset.region_of(None) == "qingdao"
        assert dataset.dataset_observations("jinan").get("pv_capacity", "jinan").value(2024) == 9999
    finally:
        current.cache_clear()
