"""Addresses in the 2025 administrative units: the lists pickers show, the text an address is saved as, and an
address typed in the old three-level form read into the new units where the data allows."""

import pytest

from core.base import addresses


def test_the_lists_hold_34_provinces_and_their_wards_with_no_district_level():
    provinces = addresses.provinces()
    assert len(provinces) == 34
    assert sum(len(addresses.wards(p.code)) for p in provinces) == len(addresses.ward_names()) > 3000
    assert addresses.province_names()["01"] == "Thành phố Hà Nội"
    hanoi = addresses.province("01")
    assert hanoi.name == "Thành phố Hà Nội" and hanoi.short_name == "Hà Nội"
    names = [w.name for w in addresses.wards("01")]
    assert "Phường Hoàn Kiếm" in names and not any(n.startswith(("Quận", "Huyện")) for n in names)
    assert {w.province_code for w in addresses.wards("79")} == {"79"}


def test_a_picked_ward_and_a_typed_street_make_the_address_carriers_print():
    hoan_kiem = next(w for w in addresses.wards("01") if w.name == "Phường Hoàn Kiếm")
    assert addresses.compose(" 12  Lý Thường Kiệt ", hoan_kiem.code, None) == (
        "12 Lý Thường Kiệt, Phường Hoàn Kiếm, Thành phố Hà Nội")
    assert addresses.ward_names()[hoan_kiem.code] == "Phường Hoàn Kiếm"
    assert addresses.compose("", None, "79") == "Thành phố Hồ Chí Minh"


@pytest.mark.parametrize("typed, expected", [
    ("12 Lý Thường Kiệt, Phường Hoàn Kiếm, Hà Nội", "12 Lý Thường Kiệt, Phường Hoàn Kiếm, Thành phố Hà Nội"),
    ("1 Lê Lợi, P. Bến Thành, TP.HCM", "1 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh"),
    ("45 Nguyễn Trãi; phuong Ben Thanh; tp ho chi minh; Việt Nam",
     "45 Nguyễn Trãi, Phường Bến Thành, Thành phố Hồ Chí Minh"),
])
def test_an_address_in_the_new_form_is_read_exactly(typed, expected):
    match = addresses.match_address(typed)
    assert (match.address, match.exact, match.notes) == (expected, True, [])


def test_an_old_ward_that_merged_is_matched_through_the_old_districts_name():
    match = addresses.match_address("Số 5 ngõ 2 Hàng Trống, P. Hàng Trống, Q. Hoàn Kiếm, Hà Nội")
    assert match.address == "Số 5 ngõ 2 Hàng Trống, Phường Hoàn Kiếm, Thành phố Hà Nội"
    assert not match.exact
    assert "P. Hàng Trống is no longer a unit" in match.notes[0]


def test_an_old_province_is_read_as_the_one_it_merged_into():
    match = addresses.match_address("12 Đường 30/4, Phường Phú Cường, TP Thủ Dầu Một, Bình Dương")
    assert match.province_code == "79"
    assert match.address == "12 Đường 30/4, Phường Thủ Dầu Một, Thành phố Hồ Chí Minh"
    assert "Bình Dương is now part of Thành phố Hồ Chí Minh" in match.notes
    tien_giang = addresses.match_address("ấp 3, Xã Tân Phú, Huyện Châu Thành, Tiền Giang")
    assert addresses.province(tien_giang.province_code).short_name == "Đồng Tháp"
    assert tien_giang.street == "ấp 3" and not tien_giang.exact  # the same name may be another place now


def test_what_the_data_cannot_tell_is_kept_as_typed():
    numbered = addresses.match_address("Phường 1, Quận 3, TP HCM")
    assert (numbered.province_code, numbered.ward_code) == ("79", None)
    assert numbered.street == "Phường 1, Quận 3"  # numbered wards were renamed: nothing is dropped, staff pick
    assert addresses.match_address("somewhere far away") is None
    assert addresses.match_address("") is None
