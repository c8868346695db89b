"""The region whose data set the engines read is a setting (CARBONPEAK_REGION → Settings.region,
carried by the Database built from the settings), `jinan` by default."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from carbonpeak.services import dataset
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
