"""Realistic generated livestream comments for benchmarks: a seeded mix like a busy Vietnamese live.

About 40% order comments in varied forms, questions, phones, cancels, chatter and emoji, from a few tens of
thousands of customers, over forty items. Comments repeat a lot, as they do in a live.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
            "Ngô", "Dương", "Lý"]
MIDDLES = ["Thị", "Văn", "Ngọc", "Thu", "Minh", "Thanh", "Hoàng", "Bảo", "Kim", "Mỹ", "Gia", ""]
GIVEN = ["Lan", "Mai", "Hương", "Hạnh", "Linh", "Trang", "Nhung", "Yến", "Vy", "Ngân", "Thảo", "Hà", "Anh",
         "Trâm", "Hằng", "Oanh", "Tuấn", "Hùng", "Nam", "Dung", "Chi", "Quỳnh", "Phương", "Uyên", "My"]
NICKNAMES = ["Bé Na Shop", "Mẹ Bống", "Mít Ướt 🍓", "Sóc Nâu", "Tiệm Nhà Gạo", "Cún Con 🐶", "Ly Ly 💕"]
SIZES_CLOTHES = ["S", "M", "L", "XL"]
SIZES_SHOES = ["36", "37", "38", "39", "40"]
COLORS = ["Đen", "Trắng", "Be", "Hồng", "Xanh"]
PREFIXES = ["090", "091", "093", "094", "096", "097", "098", "032", "033", "035", "038", "070", "077", "081", "085"]
QUESTIONS = ["{c} còn không shop?", "{c} giá bao nhiêu ạ", "size M còn k ạ", "ib em với", "{c} còn màu đen ko",
             "shop ơi {c} chất liệu gì vậy", "giá bn vậy shop", "{c} có size L không?", "tư vấn e với"]
CHATTER = ["đẹp quá 😍", "hello shop", "❤️❤️❤️", "shop ơi live lâu không", "chào shop ạ", "👏👏", "xinh quá",
           "hóng hàng mới", "haha", "thanks c", "shop dễ thương ghê", "🔥🔥🔥", "ok shop"]


def catalog_rows(count: int = 40) -> list[dict]:
    """The items of the generated shop: codes A1..A10, B1..B10, G1..G10, K1..K10 (clothes, jeans, shoes, clips)."""
    rows = []
    groups = [("A", "Áo", SIZES_CLOTHES, COLORS[:3]), ("B", "Quần", ["28", "29", "30", "31", "32"], []),
              ("G", "Giày", SIZES_SHOES, COLORS[:2]), ("K", "Kẹp tóc", [], [])]
    for index in range(count):
        prefix, name, sizes, colors = groups[index % len(groups)]
        number = index // len(groups) + 1
        rows.append({"code": f"{prefix}{number}", "name": f"{name} mẫu {number}", "price": 30000 + 10000 * index,
                     "stock": 50 + 5 * index if index % 3 else "", "sizes": "|".join(sizes),
                     "colors": "|".join(colors)})
    return rows


def catalog_csv(count: int = 40) -> str:
    lines = ["code,name,price,stock,sizes,colors"]
    for row in catalog_rows(count):
        lines.append(f"{row['code']},{row['name']},{row['price']},{row['stock']},{row['sizes']},{row['colors']}")
    return "\n".join(lines) + "\n"


def _phone(rng: random.Random) -> str:
    digits = rng.choice(PREFIXES) + "".join(rng.choice("0123456789") for _ in range(7))
    style = rng.random()
    if style < 0.5:
        return digits
    if style < 0.8:
        return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


def _order_text(rng: random.Random, items: list[dict]) -> str:
    item = rng.choice(items)
    code = item["code"] if rng.random() < 0.7 else item["code"].lower()
    size = rng.choice(item["sizes"].split("|")) if item["sizes"] and rng.random() < 0.7 else ""
    color = rng.choice(item["colors"].split("|")) if item["colors"] and rng.random() < 0.3 else ""
    qty = rng.choice(["", "", "", "2", "x2", "sl 3", "2c", "3 cái"])
    lead = rng.choice(["", "", "chốt ", "lấy ", "em lấy ", "Chot ", "order "])
    tail = rng.choice(["", "", "", " nhé shop", " ạ", " nha", " 😍"])
    text = " ".join(part for part in (code, color.lower() if rng.random() < 0.5 else color, size, qty) if part)
    if rng.random() < 0.1:
        text += " " + _phone(rng)
    if rng.random() < 0.05:
        text = f"{text}, {rng.choice(items)['code']}"
    return lead + text + tail


def generate(count: int, *, customers: int = 30_000, seed: int = 7, live_video_id: str = "1100220033",
             start: datetime | None = None, items: list[dict] | None = None):
    """Yields `count` Graph API comment objects, in comment-time order, a few per second of a long live."""
    rng = random.Random(seed)
    items = items or catalog_rows()
    people = []
    for index in range(customers):
        name = (rng.choice(NICKNAMES) if rng.random() < 0.03 else
                " ".join(p for p in (rng.choice(SURNAMES), rng.choice(MIDDLES), rng.choice(GIVEN)) if p))
        people.append((str(100000000000 + index), name))
    moment = start or datetime(2026, 11, 20, 12, 0, 0, tzinfo=UTC)
    # A small pool of frequent texts, as in a live where many viewers type "A1" or "chốt A1 M".
    frequent = [_order_text(rng, items) for _ in range(300)]
    for number in range(count):
        moment += timedelta(milliseconds=rng.randint(5, 400))
        user_id, name = people[min(int(rng.paretovariate(1.2)) - 1, customers - 1) if rng.random() < 0.3
                               else rng.randrange(customers)]
        roll = rng.random()
        if roll < 0.40:
            message = rng.choice(frequent) if rng.random() < 0.5 else _order_text(rng, items)
        elif roll < 0.55:
            message = rng.choice(QUESTIONS).format(c=rng.choice(items)["code"])
        elif roll < 0.63:
            message = rng.choice(["sdt ", "", "sđt e ", ""]) + _phone(rng) + rng.choice(["", " nha", " ạ"])
        elif roll < 0.66:
            message = rng.choice(["hủy ", "huỷ ", "em không lấy "]) + rng.choice(items)["code"]
        else:
            message = rng.choice(CHATTER)
        yield {"id": f"{live_video_id}_{number}", "from": {"id": user_id, "name": name}, "message": message,
               "created_time": moment.strftime("%Y-%m-%dT%H:%M:%S+0000")}


def write_jsonl(path, count: int, **options) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for comment in generate(count, **options):
            handle.write(json.dumps(comment, ensure_ascii=False))
            handle.write("\n")
