"""Vietnamese addresses in the administrative units in force since 1 July 2025: 34 provinces and centrally run
cities, each with its wards, communes and special zones (no district level any more).

The units come from the `vietnam-provinces` package (its data: the National Statistics Office's list). An address
written in the old three-level form (ward, district, one of 63 provinces) is matched to the new units where the
data allows: the package release for Python 3.11 has no old-to-new table of wards, so a ward is found by its name
(most new units kept the name of one of the old ones, often the old district's), and an old province by the merger
list of Resolution 202/2025/QH15 below.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from core.base.i18n import Text


@dataclass(frozen=True)
class Province:
    code: str  # two digits, as the Statistics Office writes it: "01" Hà Nội, "79" Hồ Chí Minh City
    name: str  # "Thành phố Hà Nội", "Tuyên Quang"
    short_name: str  # without "Thành phố": "Hà Nội"


@dataclass(frozen=True)
class Ward:
    code: str  # five digits: "00070" Phường Hoàn Kiếm
    name: str  # "Phường Hoàn Kiếm", "Xã Lâm Bình", "Đặc khu Côn Đảo"
    province_code: str


# Resolution 202/2025/QH15: the 29 provinces that merged into another (and Thừa Thiên Huế, now Thành phố Huế),
# by their old name -> the new unit's short name. The 11 provinces left as they were keep their names.
_OLD_PROVINCES = {
    "Hà Giang": "Tuyên Quang", "Yên Bái": "Lào Cai", "Bắc Kạn": "Thái Nguyên", "Vĩnh Phúc": "Phú Thọ",
    "Hòa Bình": "Phú Thọ", "Bắc Giang": "Bắc Ninh", "Thái Bình": "Hưng Yên", "Hải Dương": "Hải Phòng",
    "Hà Nam": "Ninh Bình", "Nam Định": "Ninh Bình", "Quảng Bình": "Quảng Trị", "Quảng Nam": "Đà Nẵng",
    "Kon Tum": "Quảng Ngãi", "Bình Định": "Gia Lai", "Ninh Thuận": "Khánh Hòa", "Đắk Nông": "Lâm Đồng",
    "Bình Thuận": "Lâm Đồng", "Phú Yên": "Đắk Lắk", "Bình Dương": "Hồ Chí Minh", "Bà Rịa - Vũng Tàu": "Hồ Chí Minh",
    "Bà Rịa Vũng Tàu": "Hồ Chí Minh", "Bình Phước": "Đồng Nai", "Long An": "Tây Ninh", "Sóc Trăng": "Cần Thơ",
    "Hậu Giang": "Cần Thơ", "Bến Tre": "Vĩnh Long", "Trà Vinh": "Vĩnh Long", "Tiền Giang": "Đồng Tháp",
    "Bạc Liêu": "Cà Mau", "Kiên Giang": "An Giang", "Thừa Thiên Huế": "Huế",
}
# How people write a few provinces in a hurry.
_PROVINCE_NICKNAMES = {
    "tphcm": "Hồ Chí Minh", "hcm": "Hồ Chí Minh", "sai gon": "Hồ Chí Minh", "saigon": "Hồ Chí Minh",
    "ho chi minh city": "Hồ Chí Minh", "hn": "Hà Nội", "brvt": "Hồ Chí Minh", "vung tau": "Hồ Chí Minh",
    "tt hue": "Huế", "daklak": "Đắk Lắk", "dak lac": "Đắk Lắk", "dac lac": "Đắk Lắk", "dac nong": "Lâm Đồng",
}
_WARD_PREFIXES = ("phuong", "xa", "dac khu", "thi tran", "p", "x", "tt")
_DISTRICT_PREFIXES = ("quan", "huyen", "thi xa", "thanh pho", "tp", "q", "h", "tx")
_PROVINCE_PREFIXES = ("thanh pho", "tinh", "tp", "t")
_COUNTRY = {"viet nam", "vietnam", "vn"}


def fold(text: str) -> str:
    """Lower case without accents or punctuation, for comparing names: 'TP. Hồ Chí Minh' -> 'tp ho chi minh'."""
    text = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn").lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _without_prefix(folded: str, prefixes: tuple[str, ...]) -> tuple[str | None, str]:
    """('phuong', 'hoan kiem') for 'phuong hoan kiem'; also 'p.1' style ('p', '1')."""
    for prefix in prefixes:
        if folded.startswith(prefix + " ") and len(folded) > len(prefix) + 1:
            return prefix, folded[len(prefix) + 1:]
        if len(prefix) <= 2 and folded.startswith(prefix) and folded[len(prefix):].isdigit():
            return prefix, folded[len(prefix):]
    return None, folded


@lru_cache(maxsize=1)
def _data() -> tuple[tuple[Province, ...], dict[str, tuple[Ward, ...]]]:
    from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

    provinces, wards = [], {}
    for raw in json.loads(NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8")):
        code = f"{raw['code']:02d}"
        name = " ".join(raw["name"].split())
        provinces.append(Province(code, name, name.removeprefix("Thành phố ")))
        wards[code] = tuple(sorted(
            (Ward(f"{w['code']:05d}", " ".join(w["name"].split()), code) for w in raw["wards"]),
            key=lambda w: fold(w.name.split(" ", 1)[-1] if not w.name.startswith("Đặc khu") else w.name[8:]),
        ))
    provinces.sort(key=lambda p: fold(p.short_name))
    return tuple(provinces), wards


def provinces() -> tuple[Province, ...]:
    """The 34 provinces and centrally run cities, in alphabetical order of their short names."""
    return _data()[0]


def wards(province_code: str) -> tuple[Ward, ...]:
    """The wards, communes and special zones of one province, alphabetical by name."""
    return _data()[1].get(province_code, ())


@lru_cache(maxsize=1)
def _indexes():
    provinces_by_code = {p.code: p for p in provinces()}
    wards_by_code = {w.code: w for ws in _data()[1].values() for w in ws}
    province_by_name: dict[str, str] = {}
    for p in provinces():
        province_by_name[fold(p.short_name)] = p.code
        province_by_name[fold(p.name)] = p.code
    new_by_short = {fold(p.short_name): p.code for p in provinces()}
    old_province: dict[str, tuple[str, str]] = {}
    for old, new in _OLD_PROVINCES.items():
        old_province[fold(old)] = (new_by_short[fold(new)], old)
    for nickname, new in _PROVINCE_NICKNAMES.items():
        province_by_name.setdefault(nickname, new_by_short[fold(new)])
    ward_by_name: dict[tuple[str, str], list[Ward]] = {}
    for ward in wards_by_code.values():
        kind, bare = _without_prefix(fold(ward.name), _WARD_PREFIXES)
        ward_by_name.setdefault((ward.province_code, bare), []).append(ward)
    return provinces_by_code, wards_by_code, province_by_name, old_province, ward_by_name


def province(code: str | None) -> Province | None:
    return _indexes()[0].get(code or "")


def ward(code: str | None) -> Ward | None:
    return _indexes()[1].get(code or "")


def compose(street: str | None, ward_code: str | None, province_code: str | None) -> str:
    """The address as a carrier prints it: '12 Lý Thường Kiệt, Phường Hoàn Kiếm, Thành phố Hà Nội'."""
    found_ward, found_province = ward(ward_code), province(province_code)
    if found_ward is not None and found_province is None:
        found_province = province(found_ward.province_code)
    parts = [" ".join((street or "").split()), found_ward.name if found_ward else "",
             found_province.name if found_province else ""]
    return ", ".join(part for part in parts if part)


def ward_name(ward_code: str | None) -> str:
    found = ward(ward_code)
    return found.name if found else ""


@lru_cache(maxsize=1)
def province_names() -> dict[str, str]:
    """Every province's full name by its code, built once (a picker's format_func runs on every option, every run)."""
    return {p.code: p.name for p in provinces()}


@lru_cache(maxsize=1)
def ward_names() -> dict[str, str]:
    """Every ward's, commune's and special zone's name by its code, built once (see province_names)."""
    return {code: found.name for code, found in _indexes()[1].items()}


@dataclass
class AddressMatch:
    """What an address written by hand stands for in the 2025 units."""

    province_code: str | None = None
    ward_code: str | None = None
    street: str = ""
    exact: bool = False  # the ward was found under its own name in its province (not guessed)
    notes: list[Text] = field(default_factory=list)  # what was read from the old form, in words for staff

    @property
    def address(self) -> str:
        return compose(self.street, self.ward_code, self.province_code)


_SEPARATORS = re.compile(r"\s*(?:[,;\n]|\s-\s)\s*")


def match_address(text: str | None) -> AddressMatch | None:
    """Reads a typed address (new or old form) into province, ward and street; None when no province is found.

    'số 5 ngõ 2 Hàng Trống, P. Hàng Trống, Q. Hoàn Kiếm, Hà Nội' -> Phường Hoàn Kiếm (guessed: Hàng Trống ward
    is no longer a unit and the new ward carries the old district's name), street 'số 5 ngõ 2 Hàng Trống'.
    """
    parts = [part for part in _SEPARATORS.split((text or "").strip()) if part and part.strip(" .")]
    if not parts:
        return None
    _, _, province_by_name, old_province, ward_by_name = _indexes()
    while parts and fold(parts[-1]) in _COUNTRY:
        parts.pop()
    match = AddressMatch()
    province_index = None
    for index in range(len(parts) - 1, -1, -1):
        folded = fold(parts[index])
        _, bare = _without_prefix(folded, _PROVINCE_PREFIXES)
        code = province_by_name.get(folded) or province_by_name.get(bare)
        if code is None and (folded in old_province or bare in old_province):
            code, old_name = old_province.get(folded) or old_province[bare]
            match.notes.append(Text("addresses.old_province_merged", old=old_name, new=province(code).name))
        if code is not None:
            match.province_code, province_index = code, index
            break
    if province_index is None:
        return None
    before = parts[:province_index]
    ward_index = None
    # The ward is normally the part just before the district, or before the province in the new form.
    for index in range(len(before) - 1, -1, -1):
        folded = fold(before[index])
        kind, bare = _without_prefix(folded, _WARD_PREFIXES)
        district_kind, _ = _without_prefix(folded, _DISTRICT_PREFIXES)
        if district_kind is not None and kind is None:
            continue
        found = ward_by_name.get((match.province_code, bare))
        if found and len(found) == 1:
            match.ward_code, match.exact, ward_index = found[0].code, True, index
            break
        if kind is not None:
            break  # a ward-level part that is no unit any more: look at its old district below
    if match.ward_code is None:
        for index in range(len(before) - 1, -1, -1):
            district_kind, bare = _without_prefix(fold(before[index]), _DISTRICT_PREFIXES)
            if district_kind is None:
                continue
            found = ward_by_name.get((match.province_code, bare))
            if found and len(found) == 1:
                match.ward_code = found[0].code
                old_ward = before[index - 1] if index >= 1 else None
                if old_ward:
                    match.notes.append(Text("addresses.old_ward_gone_ward_has_district_name", old_ward=old_ward,
                                            ward=found[0].name, district=before[index]))
                else:
                    match.notes.append(Text("addresses.ward_has_district_name", ward=found[0].name,
                                            district=before[index]))
                ward_index = index - 1 if old_ward is not None else index
                break
    if match.exact and (match.notes or len(before) - 1 > ward_index):
        # Written in the old form (an old province, or a district after the ward): the same name can belong to
        # another place in a merged province, so staff check it.
        match.exact = False
        match.notes.append(Text("addresses.ward_has_old_ward_name", ward=ward_name(match.ward_code)))
    street_parts = before[:ward_index] if ward_index is not None else before
    match.street = ", ".join(" ".join(part.split()) for part in street_parts)
    return match
