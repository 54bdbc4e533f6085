"""AppTest: every page opens from app.py without exception, and the edit forms work through their widget keys."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.services import orders
from core.services.livestreams import list_items
from tests.ui.helpers import demo_shop, item_options, pick, sign_in

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["pages/livestream.py", "pages/orders.py", "pages/shipping_book.py", "pages/shop_inbox.py", "pages/setup.py",
         "pages/customers.py"]


@pytest.fixture
def shop(tmp_path, monkeypatch):
    with demo_shop(tmp_path, monkeypatch, ("Nguyễn Lan", "chốt A1 M 2"), ("Trần Mai", "Z9 2"),
                   ("Lê Huy", "A1 còn size L không shop?"), ("Nguyễn Lan", "0912 345 678")) as shop:
        yield shop


def app(username: str = "owner") -> AppTest:
    """The app as `username` sees it once logged in (the demo shop's owner by default)."""
    return sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60), username)


def order_of(store, livestream_id, customer):
    frame = orders.list_orders(store, livestream_id)
    return orders.get_order(store, int(frame[frame["customer"] == customer]["order_id"].iloc[0]))


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_without_exception(shop, page):
    at = app().run()
    if page != PAGES[0]:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    assert at.title, "each page has a title"


def test_livestream_page_shows_comments_with_their_marks_and_no_markup(shop):
    store, livestream_id = shop
    at = app().run()
    texts = [m.value for m in at.markdown]
    names = [text.split("  \n")[0] for text in texts]  # a name line, with the comment's time under it
    assert "🛒 **Nguyễn Lan**" in names and "❓ **Lê Huy**" in names and "📞 **Nguyễn Lan**" in names
    assert any("chốt A1 M 2" in t for t in texts)


def test_edit_on_a_comment_opens_the_order_and_ship_needs_an_address(shop):
    store, livestream_id = shop
    lan = order_of(store, livestream_id, "Nguyễn Lan")
    at = app().run()
    edit_buttons = [b for b in at.button if b.label == "Edit"]
    assert edit_buttons
    at.session_state["live_edit_order"] = lan.id
    at.run()
    base = f"live-{lan.id}-f0"  # the form as first opened
    labels = [b.label for b in at.button if b.key and b.key.startswith(base)]
    assert labels == ["Ship", "Send to shop", "Save to shipping book", "Cancel", "Save draft"]
    assert at.text_input(key=f"{base}-phone").value == "0912 345 678"
    at.button(key=f"{base}-ship").click().run()
    assert any("receiver address" in e.value for e in at.error), [e.value for e in at.error]
    assert orders.get_order(store, lan.id).status == orders.DRAFT

    at.text_input(key=f"{base}-address").set_value("12 Lý Thường Kiệt, Phường Hoàn Kiếm, Hà Nội")
    at.text_input(key=f"{base}-carrier").set_value("GHN")
    at.button(key=f"{base}-ship").click().run()
    assert not at.exception
    shipped = orders.get_order(store, lan.id)
    assert (shipped.status, shipped.carrier) == (orders.SHIPPED, "GHN")
    assert any("shipped" in s.value for s in at.success)


def test_picking_the_item_for_a_blank_line_in_case2_and_saving(shop):
    store, livestream_id = shop
    mai = order_of(store, livestream_id, "Trần Mai")
    assert mai.lines[0].item_id is None
    at = app().run()
    at.switch_page("pages/orders.py").run()
    at.session_state["list_edit_order"] = mai.id
    at.run()
    base = f"list-{mai.id}-f0"  # the form as first opened
    # Delete is the dialog's own button (it asks first): tests/ui/test_orders_screen.py
    assert [b.label for b in at.button if b.key and b.key.startswith(base)] == ["Save", "Create order", "Send to shop"]
    assert any("Pick the item for Z9" in w.value for w in at.warning)
    assert at.data_editor(f"{base}-lines").value["item"].isna().tolist() == [True]
    assert any(option.startswith("K3 · Kẹp tóc") for option in item_options(at, f"{base}-lines"))
    k3_id = next(i.id for i in list_items(store, livestream_id) if i.code == "K3")
    pick(at, base, 0, item=k3_id)
    at.button(key=f"{base}-save").click().run()
    assert not at.exception
    saved = orders.get_order(store, mai.id)
    assert saved.status == orders.AWAITING_CONFIRMATION
    assert (saved.lines[0].item_code, saved.lines[0].unit_price) == ("K3", 30000)


def test_negative_quantity_in_the_form_is_refused_with_a_message(shop):
    store, livestream_id = shop
    lan = order_of(store, livestream_id, "Nguyễn Lan")
    at = app().run()
    at.session_state["live_edit_order"] = lan.id
    at.run()
    base = f"live-{lan.id}-f0"  # the form as first opened
    pick(at, base, 0, qty=-2)
    at.button(key=f"{base}-save_draft").click().run()
    assert any("quantity" in e.value for e in at.error)
    assert orders.get_order(store, lan.id).lines[0].qty == 2


def test_hand_entry_adds_comments_once_even_when_submitted_twice(shop):
    store, livestream_id = shop
    at = app().run()
    assert not at.text_area  # drawn only while its box is open
    at.session_state["live_hand_entry"] = True  # the box opened
    at.run()
    at.text_area(key="hand_entry_text").set_value("Phạm Vy: K3 3\nno colon here")
    at.button(key="hand_entry_submit").click().run()
    assert any("line 2" in e.value for e in at.error)
    assert store.scalar("SELECT count(*) FROM comments") == 4
    at.text_area(key="hand_entry_text").set_value("Phạm Vy: K3 3")
    at.session_state["hand_entry_token"] = "fixed-token"
    at.button(key="hand_entry_submit").click().run()
    assert store.scalar("SELECT count(*) FROM comments") == 5
    at.session_state["hand_entry_token"] = "fixed-token"
    at.button(key="hand_entry_submit").click().run()
    assert store.scalar("SELECT count(*) FROM comments") == 5


def test_shop_inbox_marks_an_order_handled(shop):
    store, livestream_id = shop
    lan = order_of(store, livestream_id, "Nguyễn Lan")
    orders.send_to_shop(store, lan.id, actor="lan", edits=orders.OrderEdits(receiver_address="Hà Nội"))
    at = app().run()
    at.switch_page("pages/shop_inbox.py").run()
    at.button(key=f"handled-{lan.id}").click().run()
    assert not at.exception
    assert orders.get_order(store, lan.id).handled_at is not None


def test_shipping_book_ships_the_picked_order(shop):
    store, livestream_id = shop
    lan = order_of(store, livestream_id, "Nguyễn Lan")
    orders.create_order(store, lan.id, actor="lan", edits=orders.OrderEdits(receiver_address="Hà Nội"))
    at = app().run()
    at.switch_page("pages/shipping_book.py").run()
    at.multiselect(key="ship_orders").set_value([lan.id])
    at.text_input(key="ship_carrier").set_value("GHTK")
    at.button(key="ship_submit").click().run()
    assert not at.exception
    assert orders.get_order(store, lan.id).status == orders.SHIPPED


def test_setup_adds_staff_and_refuses_a_bad_username(shop):
    store, _ = shop
    at = app().run()
    at.switch_page("pages/setup.py").run()
    at.text_input(key="new_staff_username").set_value("Bad Name!")
    at.text_input(key="new_staff_name").set_value("Ai đó")
    at.button(key="add_staff").click().run()
    assert any("username" in e.value for e in at.error)
    at.text_input(key="new_staff_username").set_value("thu")
    at.text_input(key="new_staff_name").set_value("Lê Thu")
    at.button(key="add_staff").click().run()
    assert store.scalar("SELECT display_name FROM users WHERE username = 'thu'") == "Lê Thu"


def test_setup_creates_a_livestream_and_selects_it(shop):
    store, _ = shop
    at = app().run()
    at.switch_page("pages/setup.py").run()
    at.text_input(key="new_livestream_title").set_value("Live tối thứ Bảy")
    at.selectbox(key="new_livestream_copy").set_value(1)
    at.button(key="create_livestream").click().run()
    assert not at.exception
    new_id = store.scalar("SELECT max(id) FROM livestreams")
    assert store.scalar("SELECT count(*) FROM live_items WHERE livestream_id = ?", [new_id]) == 8
    assert at.session_state["livestream_id"] == new_id


def test_a_question_comment_can_be_fixed_into_order_lines(shop):
    store, livestream_id = shop
    comment_id = store.scalar("SELECT id FROM comments WHERE message LIKE 'A1 còn size L%'")
    at = app().run()
    at.button(key=f"fix-comment-{comment_id}").click().run()
    at.text_input(key=f"fix-text-{comment_id}").set_value("A1 L 1").run()
    assert any("Reads as: A1 L ×1" in c.value for c in at.caption)
    at.button(key=f"fix-submit-{comment_id}").click().run()
    assert not at.exception
    huy = order_of(store, livestream_id, "Lê Huy")
    assert [(l.item_code, l.size, l.qty) for l in huy.lines] == [("A1", "L", 1)]


def test_setup_refuses_a_dangerous_code_pattern_and_saves_a_good_one(shop):
    store, livestream_id = shop
    from core.services.livestreams import get_livestream, syntax_settings

    at = app().run()
    at.switch_page("pages/setup.py").run()
    version = get_livestream(store, livestream_id)["catalog_version"]
    base = f"syntax-{livestream_id}-v{version}"
    at.text_input(key=f"{base}-pattern").set_value("(a+)+[0-9]")
    at.button(key=f"{base}-save").click().run()
    assert any("not saved" in e.value for e in at.error), [e.value for e in at.error]
    assert syntax_settings(store, livestream_id).code_pattern == "[a-z]{1,3}[0-9]{1,4}"
    at.text_input(key=f"{base}-pattern").set_value("[a-z]{1,2}[0-9]{1,3}")
    at.number_input(key=f"{base}-max-qty").set_value(10)
    at.button(key=f"{base}-save").click().run()
    assert not at.exception
    saved = syntax_settings(store, livestream_id)
    assert (saved.code_pattern, saved.max_qty) == ("[a-z]{1,2}[0-9]{1,3}", 10)


def test_a_comment_that_changed_the_order_meanwhile_is_named_and_the_typing_applies_on_top(shop):
    """Two writers on one order: the customer's comment adds a line while staff type an address; Save says what
    changed and by whom, keeps the address typed, and Apply on top keeps both the new line and the address."""
    from tests.integration.helpers import feed

    store, livestream_id = shop
    lan = order_of(store, livestream_id, "Nguyễn Lan")
    at = app().run()
    at.session_state["live_edit_order"] = lan.id
    at.run()
    base = f"live-{lan.id}-f0"
    feed(store, livestream_id, ("Nguyễn Lan", "thêm K3 2"), start=50)  # meanwhile, on the live
    at.text_input(key=f"{base}-address").set_value("12 Lý Thường Kiệt, Phường Hoàn Kiếm, Hà Nội")
    at.button(key=f"{base}-save_draft").click().run()
    assert not at.exception, at.exception
    warning = next(w.value for w in at.warning if "after you opened it" in w.value)
    assert "changed by a comment of the customer" in warning and "K3" in warning, warning
    assert at.text_input(key=f"{base}-address").value == "12 Lý Thường Kiệt, Phường Hoàn Kiếm, Hà Nội"
    assert orders.get_order(store, lan.id).receiver_address is None  # nothing saved yet
    assert [b.label for b in at.button if b.key and b.key.startswith(base)] == [
        "Apply my changes on top (Save draft)", "Drop my changes"]

    at.button(key=f"{base}-apply-on-top").click().run()
    assert not at.exception, at.exception
    after = orders.get_order(store, lan.id)
    assert after.receiver_address == "12 Lý Thường Kiệt, Phường Hoàn Kiếm, Hà Nội"
    assert sorted(line.code_typed for line in after.lines) == ["A1", "K3"]
    assert after.version > lan.version
    assert not [w for w in at.warning if "after you opened it" in w.value]
    assert at.text_input(key=f"live-{lan.id}-f1-address").value == after.receiver_address  # opened afresh


def test_dropping_the_typing_after_a_conflict_shows_the_order_as_it_is_now(shop):
    store, livestream_id = shop
    lan = order_of(store, livestream_id, "Nguyễn Lan")
    at = app().run()
    at.session_state["live_edit_order"] = lan.id
    at.run()
    base = f"live-{lan.id}-f0"
    orders.save(store, lan.id, actor="hang", expected_version=lan.version,
                edits=orders.OrderEdits(note="gọi trước khi giao"))
    at.text_input(key=f"{base}-note").set_value("để ở bảo vệ")
    at.button(key=f"{base}-save_draft").click().run()
    warning = next(w.value for w in at.warning if "after you opened it" in w.value)
    assert "changed by hang" in warning and "You both changed: note" in warning, warning
    at.button(key=f"{base}-drop").click().run()
    assert not at.exception, at.exception
    assert at.text_input(key=f"live-{lan.id}-f1-note").value == "gọi trước khi giao"
    assert orders.get_order(store, lan.id).note == "gọi trước khi giao"
