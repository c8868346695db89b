"""The region whose data set the engines read is a setting (CARBONPEAK_REGION → Settings.region,
carried by the Database built from the settings), `jinan` by default; the budget's city is that
region."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from carbonpeak.errors import NotFound
from carbonpeak.services import budget, dataset, decomposition
from carbonpeak.settings import Settings
from carbonpeak.store.db import Database


def test_carbonpeak_region_is_read_by_settings_and_carried_by_the_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CARBONPEAK_REGION", raising=False)
    assert Settings().region == "jinan"
    monkeypatch.setenv("CARBONPEAK_REGION", "qingdao")
    settings = Settings(database_url="sqlite:///:memory:")
    assert Database.from_settings(settings).region == "qingdao"
    monkeypatch.setenv("CARBONPEAK_REGION", "Qingdao City")
    with pytest.raises(ValidationError):
        Settings()


def test_the_data_set_is_read_for_the_store_s_region() -> None:
    jinan = Database("sqlite:///:memory:")  # no tables: the packaged data set, whose region is jinan
    other = Database("sqlite:///:memory:", region="qingdao")
    assert dataset.region_of(jinan) == dataset.region_of(None) == "jinan"
    assert len(dataset.dataset_observations(database=jinan).series) > 10
    assert len(dataset.dataset_observations(database=other).series) == 0
    assert len(dataset.dataset_observations("jinan", database=other).series) > 10


def test_the_budget_s_city_is_the_store_s_region() -> None:
    jinan = Database("sqlite:///:memory:")
    other = Database("sqlite:///:memory:", region="qingdao")
    assert budget.nowcast(jinan)["years"]
    with pytest.raises(NotFound, match="no monthly electricity"):
        budget.nowcast(other)  # the packaged monthly file has Jinan and its districts only
    with pytest.raises(NotFound, match="qingdao"):
        decomposition.kaya_series(database=other)
