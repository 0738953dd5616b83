"""Identifier columns that break their own rules are data-quality warnings (#12)."""

from __future__ import annotations

from conftest import gb11643, load_dir, write_csv

MONTH_13 = "11010519491331002" + gb11643("11010519491331002")  # right check, no such date


def test_bad_id_numbers_and_mobiles_are_counted(tmp_path):
    write_csv(tmp_path / "customers.csv", ["customer_id", "身份证号", "手机号"], [
        ["C1", "11010519491231002X", "13800138000"],   # valid (GB 11643 example)
        ["C2", "110105194912310021", "12800138000"],   # check character wrong; no such prefix
        ["C3", MONTH_13, "1380013800"],                # month 13; ten digits
        ["C4", None, None],
    ])
    customers = load_dir(tmp_path).datasets["customers"]
    id_warning = next(w for w in customers.warnings if w.startswith("身份证号"))
    assert "2 of 3 values are not a valid resident id" in id_warning
    assert "checksum 1" in id_warning and "date 1" in id_warning
    mobile_warning = next(w for w in customers.warnings if w.startswith("手机号"))
    assert "2 of 3" in mobile_warning and "prefix 1" in mobile_warning


def test_valid_identifiers_give_no_warning(tmp_path):
    write_csv(tmp_path / "customers.csv", ["customer_id", "身份证号"],
              [["C1", "11010519491231002X"]])
    assert load_dir(tmp_path).datasets["customers"].warnings == []
