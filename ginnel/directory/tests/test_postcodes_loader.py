"""``ginnel load-postcodes``: the ONS Postcode Directory and OS Code-Point Open, in bulk.

The files are small ones written here in each source's published layout (the
full lists are not shipped: see docs/directory.md).
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ginnel.directory.models import Postcode
from ginnel.directory.postcodes import haversine_m

pytestmark = pytest.mark.django_db

# ONSPD's header (its first columns and the location ones, in its order).
ONSPD_HEADER = "pcd,pcd2,pcds,dointr,doterm,oscty,ced,oslaua,osward,parish,usertype,oseast1m,osnrth1m,osgrdind,oshlthau,nhser,ctry,rgn,lat,long"  # noqa: E501
ONSPD_ROWS = [
    # pcd (7), pcd2 (8), pcds (as written), …, lat, long
    ("HX7 8AF", "HX7  8AF", "HX7 8AF", "53.742317", "-2.014236"),
    ("LS6 1AA", "LS6  1AA", "LS6 1AA", "53.819500", "-1.577640"),
    ("SW1A1AA", "SW1A 1AA", "SW1A 1AA", "51.501009", "-0.141588"),
    # A postcode ONS cannot place: latitude 99.999999.
    ("ZZ991ZZ", "ZZ99 1ZZ", "ZZ99 1ZZ", "99.999999", "0.000000"),
]
# Code-Point Open: Caister water tower's grid reference (OS's worked example) as a postcode's.
CASTER = ("NR305QF", "10", "651409.903", "313177.270", "E92000001", "E19000001", "E18000007",
          "E10000020", "E07000145", "E05005790")  # fmt: skip
CASTER_WGS84 = (52 + 39 / 60 + 28.7230 / 3600, 1 + 42 / 60 + 57.7870 / 3600)


def onspd(path: Path, rows: Sequence[tuple[str, ...]] = ONSPD_ROWS) -> Path:
    lines = [ONSPD_HEADER]
    for pcd, pcd2, pcds, lat, long in rows:
        lines.append(
            f'"{pcd}","{pcd2}","{pcds}","199801","","E10000000","","E08000033","","",'
            f'"0","400000","400000","1","","","E92000001","E12000003",{lat},{long}'
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def codepoint(path: Path, rows: list[tuple[str, ...]]) -> Path:
    path.write_text(
        "".join(",".join(f'"{v}"' if not v.isdigit() else v for v in r) + "\n" for r in rows),
        encoding="utf-8",
    )
    return path


def test_it_loads_the_ons_postcode_directory_and_skips_postcodes_without_a_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("load_postcodes", str(onspd(tmp_path / "ONSPD.csv")), no_progress=True)
    assert Postcode.objects.count() == 3
    for _, _, pcds, lat, long in ONSPD_ROWS[:3]:
        row = Postcode.objects.get(postcode=pcds.replace(" ", ""))
        assert (row.latitude, row.longitude) == (float(lat), float(long))
    assert not Postcode.objects.filter(postcode="ZZ991ZZ").exists()
    out = capsys.readouterr().out
    assert "Loaded 3 postcodes" in out
    assert "skipped 1 without a location" in out


def test_it_loads_code_point_open_converting_the_grid_reference(tmp_path: Path) -> None:
    call_command("load_postcodes", str(codepoint(tmp_path / "nr.csv", [CASTER])), no_progress=True)
    row = Postcode.objects.get(postcode="NR305QF")
    assert haversine_m(row.latitude, row.longitude, *CASTER_WGS84) < 0.05


def test_code_point_files_with_the_documented_header_load_too(tmp_path: Path) -> None:
    header = ("Postcode", "Positional_quality_indicator", "Eastings", "Northings",
              "Country_code", "NHS_regional_HA_code", "NHS_HA_code", "Admin_county_code",
              "Admin_district_code", "Admin_ward_code")  # fmt: skip
    call_command(
        "load_postcodes", str(codepoint(tmp_path / "nr.csv", [header, CASTER])), no_progress=True
    )
    assert Postcode.objects.filter(postcode="NR305QF").exists()


def test_it_reads_the_zip_as_downloaded_and_a_folder_of_csvs(tmp_path: Path) -> None:
    folder = tmp_path / "Data" / "CSV"
    folder.mkdir(parents=True)
    codepoint(folder / "nr.csv", [CASTER])
    other = list(CASTER)
    other[0], other[2] = "NR305QG", "651500"
    codepoint(folder / "nx.csv", [tuple(other)])
    (tmp_path / "Doc").mkdir()
    (tmp_path / "Doc" / "readme.csv").write_text("not,postcodes\n")
    archive = tmp_path / "codepo_gb.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for name in ("Data/CSV/nr.csv", "Data/CSV/nx.csv", "Doc/readme.csv"):
            z.write(tmp_path / name, name)
    call_command("load_postcodes", str(archive), no_progress=True)
    assert set(Postcode.objects.values_list("postcode", flat=True)) == {"NR305QF", "NR305QG"}
    Postcode.objects.all().delete()
    call_command("load_postcodes", str(tmp_path / "Data"), no_progress=True)
    assert Postcode.objects.count() == 2


def test_an_onspd_zip_is_read_once_not_again_from_its_split_copies(tmp_path: Path) -> None:
    whole = onspd(tmp_path / "whole.csv")
    split = onspd(tmp_path / "split.csv", [ONSPD_ROWS[0]])
    archive = tmp_path / "ONSPD_NOV_2026.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(whole, "Data/ONSPD_NOV_2026_UK.csv")
        z.write(split, "Data/multi_csv/ONSPD_NOV_2026_UK_HX.csv")
        z.write(split, "Documents/Postcode areas.csv")
    from ginnel.directory.management.commands.load_postcodes import sources_of

    assert [s.member for s in sources_of(archive)] == ["Data/ONSPD_NOV_2026_UK.csv"]
    call_command("load_postcodes", str(archive), no_progress=True)
    assert Postcode.objects.count() == 3


def test_loading_a_newer_release_updates_the_postcodes_it_has(tmp_path: Path) -> None:
    call_command("load_postcodes", str(onspd(tmp_path / "old.csv")), no_progress=True)
    moved = [("HX7 8AF", "HX7  8AF", "HX7 8AF", "53.750000", "-2.020000")]
    call_command("load_postcodes", str(onspd(tmp_path / "new.csv", moved)), no_progress=True)
    assert Postcode.objects.count() == 3
    row = Postcode.objects.get(postcode="HX78AF")
    assert (row.latitude, row.longitude) == (53.75, -2.02)


def test_a_malformed_row_names_file_and_line_and_loads_nothing(tmp_path: Path) -> None:
    rows = [*ONSPD_ROWS[:2], ("LS6 1AB", "LS6  1AB", "LS6 1AB", "fifty-three", "-1.5")]
    path = onspd(tmp_path / "bad.csv", rows)
    with pytest.raises(CommandError) as raised:
        call_command("load_postcodes", str(path), no_progress=True)
    assert f"{path}, line 4" in str(raised.value)
    assert "Nothing was loaded" in str(raised.value)
    assert Postcode.objects.count() == 0


def test_a_row_that_is_not_a_postcode_names_it(tmp_path: Path) -> None:
    bad = list(CASTER)
    bad[0] = "NOT A CODE"
    path = codepoint(tmp_path / "nr.csv", [CASTER, tuple(bad)])
    with pytest.raises(CommandError, match=r"line 2: 'NOT A CODE' is not a UK postcode"):
        call_command("load_postcodes", str(path), no_progress=True)
    assert Postcode.objects.count() == 0


def test_a_file_of_neither_kind_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("name,town\nMo,Leeds\n")
    with pytest.raises(CommandError, match="neither the ONS Postcode Directory"):
        call_command("load_postcodes", str(path), no_progress=True)
    with pytest.raises(CommandError, match="There is no file or folder"):
        call_command("load_postcodes", str(tmp_path / "missing.csv"), no_progress=True)
