"""Shipping labels (100 × 150 mm) and packing slips (A5) as print-ready HTML pages, from order snapshots
(core.records.snapshots).

Print-ready HTML rather than PDFs: the browser lays Vietnamese out with its own fonts, so diacritics come out
right without shipping a font, and @page sizes them for a label printer or A5 paper. Every customer-written text
is escaped: it is printed as text, never read as markup.
"""

from __future__ import annotations

import html
from datetime import datetime

from core.base.formatting import shop_time_text, utc_now, vnd
from core.base.i18n import translate
from core.base.phones import format_vn_phone


def _text(value) -> str:
    return html.escape("" if value is None else str(value))


def _words(key: str, language: str, **params) -> str:
    """Printed words in the print's language, escaped like any text on the page."""
    return _text(translate(key, language, **params))


def _local(iso_text: str | None, language: str, with_date: bool = True) -> str:
    if not iso_text:
        return ""
    return shop_time_text(datetime.fromisoformat(iso_text.rstrip("Z")), with_date, language=language)


def _variant(line: dict) -> str:
    return " ".join(v for v in (line.get("size"), line.get("color")) if v)


# Labels and slips are read by carriers and customers in Vietnam: Vietnamese unless the shop prints in English.
PRINT_LANGUAGE = "vi"

_PAGE_CSS = """
* { box-sizing: border-box; }
body { margin: 0; background: #e9e9e9; color: #111;
       font-family: "Noto Sans", "DejaVu Sans", "Segoe UI", Roboto, Arial, sans-serif; }
.toolbar { position: sticky; top: 0; display: flex; gap: 12px; align-items: center; padding: 8px 12px;
           background: #fff; border-bottom: 1px solid #ccc; font-size: 14px; z-index: 1; }
.toolbar button { font-size: 15px; padding: 6px 16px; cursor: pointer; }
.sheet { background: #fff; margin: 12px auto; box-shadow: 0 1px 4px rgba(0,0,0,.25); overflow: hidden;
         page-break-after: always; break-after: page; }
.caption { font-size: 8pt; font-weight: 700; letter-spacing: .04em; color: #444; text-transform: uppercase; }
@media print {
  body { background: #fff; }
  .toolbar { display: none; }
  .sheet { margin: 0; box-shadow: none; }
}
"""

_LABEL_CSS = """
@page { size: 100mm 150mm; margin: 0; }
.sheet { width: 100mm; height: 150mm; padding: 4mm; display: flex; flex-direction: column; gap: 2.2mm;
         font-size: 10pt; }
.head { display: flex; justify-content: space-between; align-items: center; border-bottom: 2px solid #111;
        padding-bottom: 2mm; }
.carrier { font-size: 15pt; font-weight: 800; line-height: 1.15; flex: 1; min-width: 0; overflow-wrap: anywhere; }
.code { font-size: 19pt; font-weight: 800; border: 2.5px solid #111; padding: 0.5mm 2.5mm; border-radius: 2mm;
        white-space: nowrap; flex: none; margin-left: 2mm; }
.tracking { font-size: 12pt; }
.tracking b { font-size: 14pt; letter-spacing: .03em; }
.block { border: 1px solid #111; border-radius: 1.5mm; padding: 2mm 2.5mm; }
.name { font-size: 15pt; font-weight: 800; line-height: 1.25; }
.phone { font-size: 15pt; font-weight: 700; letter-spacing: .02em; }
.address { font-size: 12pt; line-height: 1.3; margin-top: 1mm; }
.cod { display: flex; justify-content: space-between; align-items: baseline; background: #111; color: #fff; }
.cod .caption { color: #fff; font-size: 10pt; }
.cod .amount { font-size: 19pt; font-weight: 800; }
.paid { text-align: center; font-size: 10.5pt; font-weight: 800; white-space: nowrap; }
.content { flex: 1; overflow: hidden; font-size: 9.5pt; line-height: 1.35; }
.content ul { margin: 1mm 0 0 0; padding-left: 4mm; }
.note { font-size: 9.5pt; }
.foot { font-size: 8pt; color: #444; display: flex; justify-content: space-between; border-top: 1px solid #999;
        padding-top: 1.2mm; }
"""

_SLIP_CSS = """
@page { size: A5 portrait; margin: 0; }
.sheet { width: 148mm; min-height: 210mm; padding: 10mm 11mm; font-size: 10pt; }
.head { display: flex; justify-content: space-between; align-items: flex-start; border-bottom: 2px solid #111;
        padding-bottom: 3mm; margin-bottom: 3mm; }
h1 { font-size: 16pt; margin: 0 0 1mm 0; letter-spacing: .03em; }
.code { font-size: 18pt; font-weight: 800; border: 2.5px solid #111; padding: 1mm 3mm; border-radius: 2mm;
        white-space: nowrap; }
.people { display: grid; grid-template-columns: 1fr 1.4fr; gap: 4mm; margin-bottom: 3mm; line-height: 1.35; }
table { width: 100%; border-collapse: collapse; margin: 2mm 0; }
th, td { border-bottom: 1px solid #bbb; padding: 1.6mm 1.2mm; text-align: left; vertical-align: top; }
th { font-size: 8.5pt; text-transform: uppercase; color: #333; border-bottom: 1.5px solid #111; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.box { width: 6mm; font-size: 12pt; }
.totals { margin-left: auto; width: 62%; }
.totals div { display: flex; justify-content: space-between; padding: 0.8mm 0; }
.totals .grand { font-size: 13pt; font-weight: 800; border-top: 1.5px solid #111; padding-top: 1.5mm; }
.pay { margin-top: 2mm; font-weight: 700; }
.sign { display: flex; justify-content: space-between; margin-top: 9mm; font-size: 9pt; }
.thanks { text-align: center; margin-top: 8mm; font-style: italic; color: #333; }
"""


def _document(title: str, css: str, sheets: list[str], count_words: str, language: str) -> str:
    return (
        f"<!DOCTYPE html><html lang=\"{_text(language)}\"><head><meta charset=\"utf-8\">"
        f"<title>{_text(title)}</title><style>{_PAGE_CSS}{css}</style></head><body>"
        "<div class=\"toolbar\"><button onclick=\"window.print()\">"
        f"{_text(translate('shipping.print_button', language))}</button>"
        f"<span>{_text(count_words)}</span></div>"
        + "".join(sheets) + "</body></html>"
    )


def _label(snapshot: dict, printed_at: str, language: str) -> str:
    order, receiver, totals, shipment = (snapshot["order"], snapshot["receiver"], snapshot["totals"],
                                         snapshot["shipment"] or {})
    lines = snapshot["lines"]
    shown = lines[:6]
    items = "".join(
        f"<li>{_text(line['code'])} · {_text(line['name'])}"
        f"{(' · ' + _text(_variant(line))) if _variant(line) else ''} <b>×{line['qty']}</b></li>"
        for line in shown
    )
    if len(lines) > len(shown):
        items += f"<li>{_words('shipping.label_more_items', language, count=len(lines) - len(shown))}</li>"
    quantity = sum(line["qty"] for line in lines)
    tracking = shipment.get("tracking_number")
    if order["payment"] == "cod":
        money = (f"<div class=\"block cod\"><span class=\"caption\">{_words('shipping.label_cod', language)}</span>"
                 f"<span class=\"amount\">{_text(vnd(totals['cod_amount']))}</span></div>")
    else:
        money = f"<div class=\"block paid\">{_words('shipping.label_paid', language)}</div>"
    note = (f"<div class=\"note\"><b>{_words('shipping.print_note', language)}</b> {_text(order['note'])}</div>"
            if order.get("note") else "")
    carrier = shipment.get("carrier") or translate("shipping.label_no_carrier", language)
    return (
        "<section class=\"sheet label\">"
        f"<div class=\"head\"><span class=\"carrier\">{_text(carrier)}</span>"
        f"<span class=\"code\">{_text(order['code'])}</span></div>"
        f"<div class=\"tracking\">{_words('shipping.label_tracking', language)} "
        f"<b>{_text(tracking) if tracking else '____________________'}</b>"
        "</div>"
        f"<div class=\"block\"><div class=\"caption\">{_words('shipping.print_receiver', language)}</div>"
        f"<div class=\"name\">{_text(receiver['name'])}</div>"
        f"<div class=\"phone\">☎ {_text(format_vn_phone(receiver['phone']))}</div>"
        f"<div class=\"address\">{_text(receiver['address'])}</div></div>"
        f"{money}"
        f"<div class=\"block content\"><div class=\"caption\">"
        f"{_words('shipping.label_contents', language, count=quantity)}</div>"
        f"<ul>{items}</ul></div>"
        f"{note}"
        f"<div class=\"foot\"><span>{_text(order.get('livestream') or '')}</span>"
        f"<span>{_words('shipping.print_printed_at', language, time=printed_at)}</span></div>"
        "</section>"
    )


PLATFORM_NAMES = {"facebook": "Facebook", "tiktok": "TikTok"}


def _slip(snapshot: dict, printed_at: str, language: str) -> str:
    order, customer, receiver, totals = (snapshot["order"], snapshot["customer"], snapshot["receiver"],
                                         snapshot["totals"])
    rows = "".join(
        "<tr><td class=\"box\">☐</td>"
        f"<td>{number}</td><td>{_text(line['code'])}</td><td>{_text(line['name'])}</td>"
        f"<td>{_text(_variant(line))}</td><td class=\"num\">{line['qty']}</td>"
        f"<td class=\"num\">{_text(vnd(line['unit_price']))}</td><td class=\"num\">{_text(vnd(line['amount']))}</td>"
        "</tr>"
        for number, line in enumerate(snapshot["lines"], start=1)
    )
    if order["payment"] == "cod":
        pay = _words("shipping.slip_pay_cod", language, amount=vnd(totals["cod_amount"]))
    else:
        pay = _words("shipping.slip_paid", language)
    note = (f"<p><b>{_words('shipping.print_note', language)}</b> {_text(order['note'])}</p>"
            if order.get("note") else "")
    heading = "".join(f"<th>{_words(key, language)}</th>" for key in (
        "shipping.slip_code", "shipping.slip_item", "shipping.slip_variant"))
    heading += "".join(f"<th class=\"num\">{_words(key, language)}</th>" for key in (
        "shipping.slip_qty", "shipping.slip_unit_price", "shipping.slip_amount"))
    return (
        "<section class=\"sheet slip\">"
        f"<div class=\"head\"><div><h1>{_words('shipping.slip_title', language)}</h1>"
        f"<div>{_text(order.get('livestream') or '')} · "
        f"{_words('shipping.slip_ordered_at', language, time=_local(order['first_comment_at'], language))}</div>"
        f"</div><span class=\"code\">{_text(order['code'])}</span></div>"
        "<div class=\"people\">"
        f"<div><div class=\"caption\">{_words('shipping.slip_customer', language)}</div>{_text(customer['name'])}"
        f"<br><small>{_text(PLATFORM_NAMES.get(customer.get('platform'), ''))}</small></div>"
        f"<div><div class=\"caption\">{_words('shipping.print_receiver', language)}</div>"
        f"<b>{_text(receiver['name'])}</b> · "
        f"{_text(format_vn_phone(receiver['phone']))}<br>{_text(receiver['address'])}</div>"
        "</div>"
        f"<table><thead><tr><th></th><th>#</th>{heading}</tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        "<div class=\"totals\">"
        f"<div><span>{_words('shipping.slip_items_total', language)}</span>"
        f"<span>{_text(vnd(totals['items']))}</span></div>"
        f"<div><span>{_words('shipping.slip_shipping_fee', language)}</span>"
        f"<span>{_text(vnd(totals['shipping_fee']))}</span></div>"
        + (f"<div><span>{_words('shipping.slip_discount', language)}</span>"
           f"<span>−{_text(vnd(totals['discount']))}</span></div>"
           if totals["discount"] else "") +
        f"<div class=\"grand\"><span>{_words('shipping.slip_total', language)}</span>"
        f"<span>{_text(vnd(totals['total']))}</span></div>"
        "</div>"
        f"<div class=\"pay\">{pay}</div>"
        f"{note}"
        f"<div class=\"sign\"><span>{_words('shipping.slip_packed_by', language)} ..........................</span>"
        f"<span>{_words('shipping.slip_checked_by', language)} ..........................</span></div>"
        f"<div class=\"thanks\">{_words('shipping.slip_thanks', language)}</div>"
        "<div class=\"foot\" style=\"margin-top:6mm;font-size:8pt;color:#555\">"
        f"{_words('shipping.print_printed_at', language, time=printed_at)}</div>"
        "</section>"
    )


def labels_html(snapshots: list[dict], language: str = PRINT_LANGUAGE) -> str:
    """Shipping labels (100 × 150 mm), one page per order, as a print-ready HTML page in `language`."""
    printed_at = shop_time_text(utc_now(), with_date=True, language=language)
    return _document(translate("shipping.labels_title", language), _LABEL_CSS,
                     [_label(s, printed_at, language) for s in snapshots],
                     translate("shipping.labels_count", language, count=len(snapshots)), language)


def packing_slips_html(snapshots: list[dict], language: str = PRINT_LANGUAGE) -> str:
    """Packing slips (A5), one page per order, as a print-ready HTML page in `language`."""
    printed_at = shop_time_text(utc_now(), with_date=True, language=language)
    return _document(translate("shipping.slips_title", language), _SLIP_CSS,
                     [_slip(s, printed_at, language) for s in snapshots],
                     translate("shipping.slips_count", language, count=len(snapshots)), language)
