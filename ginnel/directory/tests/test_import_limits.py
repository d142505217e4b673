"""Imported text is capped and oversized feeds are refused before they are read (issue 14).

A 50 MB description imported from a feed once took a worker to 12 GB: text longer
than its column (or than ``MAX_TEXT_LENGTH`` for long text) is cut, with a warning
naming the row and the field; a feed larger than ``GINNEL_IMPORT_MAX_BYTES`` is
refused with a clear message, without reading it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ginnel.directory import hsds
from ginnel.directory.models import Service
from ginnel.directory.services import importing
from ginnel.directory.services.importing import MAX_TEXT_LENGTH, directory_import
from ginnel.errors import GinnelError

pytestmark = pytest.mark.django_db

ORG = "6c7f0b7e-3c1a-4b57-9d0e-2f6a1b9c8d01"
SERVICE = "1d2e3f40-5a6b-4c7d-8e9f-0a1b2c3d4e05"


def write_feed(folder: Path, *, name: str = "Lunch on Tuesdays", description: str = "") -> Path:
    folder.mkdir()
    (folder / "organizations.csv").write_text(
        f"id,name,description\n{ORG},Calder Lunch Club,Lunches\n", encoding="utf-8"
    )
    (folder / "services.csv").write_text(
        "id,organization_id,name,status,description\n"
        f"{SERVICE},{ORG},{name},active,{description}\n",
        encoding="utf-8",
    )
    return folder


def test_an_over_long_description_is_cut_with_a_warning_naming_row_and_field(community, tmp_path):
    feed = write_feed(tmp_path / "feed", description="soup " * 5_000)  # 25,000 characters

    result = directory_import(community=community, path=feed)

    stored = Service.objects.get(community=community).description
    assert len(stored) == 10_000 == MAX_TEXT_LENGTH
    assert stored.startswith("soup soup")
    warnings = [str(w) for w in result.warnings]
    assert any(
        w.startswith("services.csv, row 1, field description:") and "10000" in w.replace(",", "")
        for w in warnings
    ), warnings


def test_an_over_long_name_is_cut_to_its_column_with_a_warning(community, tmp_path):
    limit = Service._meta.get_field("name").max_length
    assert limit is not None
    feed = write_feed(tmp_path / "feed", name="L" * (limit + 50))

    result = directory_import(community=community, path=feed)

    assert Service.objects.get(community=community).name == "L" * limit
    assert any(str(w).startswith("services.csv, row 1, field name:") for w in result.warnings)


def test_a_feed_larger_than_the_setting_is_refused_before_it_is_read(
    community, tmp_path, settings, monkeypatch
):
    settings.GINNEL_IMPORT_MAX_BYTES = 100
    feed = tmp_path / "feed.json"
    feed.write_text('{"id": "x", "name": "' + "a" * 200 + '"}', encoding="utf-8")

    def never(path: Path) -> None:
        raise AssertionError("the feed was read")

    monkeypatch.setattr(hsds, "read", never)

    with pytest.raises(GinnelError) as refused:
        directory_import(community=community, path=feed)

    assert "feed.json" in refused.value.message
    assert "GINNEL_IMPORT_MAX_BYTES" in refused.value.message
    assert Service.objects.filter(community=community).count() == 0


def test_a_folder_whose_files_together_are_too_large_is_refused(community, tmp_path, settings):
    feed = write_feed(tmp_path / "feed", description="soup")
    settings.GINNEL_IMPORT_MAX_BYTES = sum(f.stat().st_size for f in feed.iterdir()) - 1

    with pytest.raises(GinnelError) as refused:
        directory_import(community=community, path=feed)

    assert "too large" in refused.value.message


def test_a_sparse_file_over_the_default_limit_is_refused_without_reading_it(community, tmp_path):
    feed = tmp_path / "huge.json"
    with feed.open("wb") as handle:
        handle.truncate(importing.DEFAULT_IMPORT_MAX_BYTES + 1)  # sparse: no disk, no reading

    with pytest.raises(GinnelError) as refused:
        directory_import(community=community, path=feed)

    assert "huge.json" in refused.value.message
    assert "too large" in refused.value.message


def test_a_feed_within_the_limit_imports(community, tmp_path, settings):
    feed = write_feed(tmp_path / "feed", description="soup")
    settings.GINNEL_IMPORT_MAX_BYTES = sum(f.stat().st_size for f in feed.iterdir())

    directory_import(community=community, path=feed)

    assert Service.objects.get(community=community).description == "soup"
