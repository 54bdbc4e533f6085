"""Ship: the owner's carriers, the shipment each Ship records in its own transaction, and the printed pages."""

import pytest

from core.base.errors import InvalidInput
from core.domain.users import SYSTEM_USER
from core.services import orders, shipping
from tests.integration.push_fixtures import act, make_orders, no_integrations, shop  # noqa: F401


def test_the_carrier_list_is_saved_as_edited_and_refuses_bad_rows_as_a_whole(store, no_integrations):
    shipping.save_carriers(store, [shipping.Carrier(None, "GHN", 22000, "https://donhang.ghn.vn/?order_code={tracking}"),
                                   shipping.Carrier(None, "GHTK", 20000)], by=SYSTEM_USER)
    ghn, ghtk = shipping.list_carriers(store)
    shipping.save_carriers(store, [shipping.Carrier(ghtk.id, "GHTK", 21000, None, False),
                                   shipping.Carrier(None, "Viettel Post", 25000)], by=SYSTEM_USER)
    assert [(c.name, c.default_fee, c.active) for c in shipping.list_carriers(store)] == [
        ("GHTK", 21000, False), ("Viettel Post", 25000, True)]
    assert [c.name for c in shipping.list_carriers(store, active_only=True)] == ["Viettel Post"]
    with pytest.raises(InvalidInput) as refused:
        shipping.save_carriers(store, [shipping.Carrier(None, "ghtk", 0), shipping.Carrier(None, "GHTK", -5),
                                       shipping.Carrier(None, "J&T", 0, "www.jtexpress.vn")], by=SYSTEM_USER)
    message = str(refused.value)
    assert "GHTK is in the list twice" in message and "0 ₫ or more" in message and "{tracking}" in message
    assert len(shipping.list_carriers(store)) == 2  # nothing was saved


def test_ship_records_carrier_tracking_fee_and_cod_with_the_status_change(store, shop, no_integrations):
    carrier_id = shipping.add_carrier(store, "GHN", by=SYSTEM_USER, default_fee=22000)
    first, second, third = make_orders(store, shop, 3, message="A1 M 2")
    for n, order_id in enumerate((first, second, third), start=1):
        act(store, order_id, "create_order", n=n)
    orders.perform_action(store, "save", third, actor="lan", edits=orders.OrderEdits(payment="transfer"))
    act(store, third, "create_order", n=3)
    result = shipping.ship_orders(store, [first], actor="lan", carrier_id=carrier_id, tracking_number=" GHN1 ",
                                  fee=25000)
    assert result.done == [orders.get_order(store, first).code] and result.failed == []
    both = shipping.ship_orders(store, [second, third], actor="hang", carrier_id=carrier_id)
    assert len(both.done) == 2
    assert shipping.shipment_of(store, first) | {"shipped_at": None} == {
        "carrier": "GHN", "tracking_number": "GHN1", "fee": 25000, "cod_amount": 300000, "shipped_at": None,
        "shipped_by": "lan"}
    assert shipping.shipment_of(store, second)["fee"] == 22000  # the carrier's usual fee
    assert shipping.shipment_of(store, third)["cod_amount"] == 0  # paid by transfer: nothing to collect
    assert orders.get_order(store, first).tracking_number == "GHN1"


def test_a_tracking_number_belongs_to_one_order(store, shop, no_integrations):
    ids = make_orders(store, shop, 2)
    for n, order_id in enumerate(ids, start=1):
        act(store, order_id, "create_order", n=n)
    with pytest.raises(InvalidInput):
        shipping.ship_orders(store, ids, actor="lan", carrier_name="GHN", tracking_number="X1")
    assert all(orders.get_order(store, i).status == orders.AWAITING_SHIPMENT for i in ids)


def test_an_incomplete_order_does_not_stop_the_others_from_shipping(store, shop, no_integrations):
    complete, incomplete = make_orders(store, shop, 2)
    act(store, complete, "create_order", n=1)
    result = shipping.ship_orders(store, [incomplete, complete], actor="lan", carrier_name="Tự giao")
    assert result.done == [orders.get_order(store, complete).code]
    assert "receiver address" in result.failed[0][1]
    assert shipping.shipment_of(store, incomplete) is None
    assert shipping.shipment_of(store, complete)["carrier"] == "Tự giao"


def test_ship_from_the_order_form_records_the_shipment_too(store, shop, no_integrations):
    shipping.add_carrier(store, "GHTK", by=SYSTEM_USER, default_fee=18000)
    [order_id] = make_orders(store, shop, 1)
    act(store, order_id, "ship", shipment=orders.Shipment(carrier="ghtk", tracking_number="S1"))
    assert shipping.shipment_of(store, order_id)["fee"] == 18000  # matched by name, any case


def test_labels_and_packing_slips_print_every_order_with_its_text_escaped(store, shop, no_integrations):
    first, second = make_orders(store, shop, 2, message="A1 M 2, K3 1")
    act(store, first, "create_order", n=1, note="<script>alert('x')</script> giao giờ hành chính")
    act(store, second, "ship", n=2, shipment=orders.Shipment(carrier="Viettel Post", tracking_number="VTP-778899"))
    labels = shipping.labels_html(store, [first, second])
    slips = shipping.packing_slips_html(store, [first, second])
    assert labels.count('class="sheet label"') == 2 and slips.count('class="sheet slip"') == 2
    assert "size: 100mm 150mm" in labels and "size: A5" in slips
    assert "Nguyễn Thị Khách 1" in labels and "Lý Thường Kiệt, Phường Hoàn Kiếm" in labels
    assert "VTP-778899" in labels and "Viettel Post" in labels
    assert "THU HỘ" in labels.upper() and "330.000 ₫" in labels
    assert "<script>" not in labels + slips and "&lt;script&gt;" in labels
    assert "Áo thun basic" in slips and "Kẹp tóc ngọc trai" in slips and "Tổng cộng" in slips
