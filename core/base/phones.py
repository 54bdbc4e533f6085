"""Vietnamese phone numbers, validated and normalised with Google's libphonenumber (phonenumbers)."""

from __future__ import annotations

import phonenumbers


def normalize_vn_phone(text: str | None) -> str | None:
    """'0912 345 678', '+84 912 345 678' -> '0912345678'; None when empty or not a valid Vietnamese number."""
    if not text or not text.strip():
        return None
    try:
        number = phonenumbers.parse(text.strip(), "VN")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 84 or not phonenumbers.is_valid_number(number):
        return None
    return "0" + str(number.national_number)


def format_vn_phone(phone: str | None) -> str:
    """'0912345678' -> '0912 345 678' for reading aloud; other text unchanged."""
    if phone and len(phone) == 10 and phone.isdigit():
        return f"{phone[:4]} {phone[4:7]} {phone[7:]}"
    return phone or ""
