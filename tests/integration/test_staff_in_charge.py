"""Staff in charge: new customers go to the staff on duty in turn, customers and orders are reassigned by the owner
and claimed or released by staff, and every change is recorded with who made it."""

import pytest

from core.base.errors import AccessDenied
from core.domain.users import SYSTEM_USER
from core.services import assignment, auth, orders, staff
from core.services import comments as ingest
from tests.integration.helpers import feed


def staff_of(store, livestream_id) -> dict[str, str]:
    """customer name -> staff username, for the customers with an order in this livestream."""
    return {row["customer"]: row["staff"] for row in store.query(
        "SELECT c.display_name AS customer, u.username AS staff FROM orders o JOIN customers c ON c.id = o.customer_id "
        "LEFT JOIN users u ON u.id = o.staff_id WHERE o.livestream_id = ? ORDER BY o.first_comment_at",
        [livestream_id])}


def user(store, username):
    return auth.user_by_username(store, username)


@pytest.fixture
def three_staff(store, livestream_id):
    staff.add_user(store, "thu", "Lê Thu", by=SYSTEM_USER)
    return [user(store, name) for name in ("lan", "hang", "thu")]


def test_new_customers_go_to_the_staff_on_duty_in_turn(store, livestream_id, three_staff):
    lan, hang, thu = three_staff
    assignment.set_on_duty(store, livestream_id, [thu.id, lan.id], by=lan)
    assert assignment.on_duty(store, livestream_id) == sorted([lan.id, thu.id])
    feed(store, livestream_id, ("An", "A1 M"), ("Bình", "K3 2"), ("Chi", "A2 L"), ("Dũng", "còn size không?"),
         ("Đào", "K3 1"))
    assert staff_of(store, livestream_id) == {"An": "lan", "Bình": "thu", "Chi": "lan", "Đào": "thu"}
    # The turn goes on in the next batch, and a customer who orders again keeps their staff member.
    feed(store, livestream_id, ("Chi", "K3 1"), ("Em", "A1 S"), ("Giang", "A1 L"), start=10)
    assert staff_of(store, livestream_id) == {"An": "lan", "Bình": "thu", "Chi": "lan", "Đào": "thu",
                                             "Em": "lan", "Giang": "thu"}


def test_with_nobody_on_duty_every_active_staff_member_takes_a_turn(store, livestream_id, three_staff):
    lan, hang, thu = three_staff
    staff.set_active(store, hang.id, False, by=SYSTEM_USER)
    feed(store, livestream_id, ("An", "A1 M"), ("Bình", "K3 2"), ("Chi", "A2 L"))
    assert staff_of(store, livestream_id) == {"An": "lan", "Bình": "thu", "Chi": "lan"}


def test_a_customer_whose_staff_member_was_switched_off_gets_the_next_in_turn(store, livestream_id, three_staff):
    lan, hang, thu = three_staff
    assignment.set_on_duty(store, livestream_id, [lan.id, hang.id], by=lan)
    feed(store, livestream_id, ("An", "A1 M"), ("Bình", "K3 2"))
    assert staff_of(store, livestream_id) == {"An": "lan", "Bình": "hang"}
    staff.set_active(store, hang.id, False, by=SYSTEM_USER)
    second = orders.get_order(store, store.scalar("SELECT id FROM orders WHERE code = 'L1-002'"))
    orders.cancel(store, second.id, actor="lan")
    feed(store, livestream_id, ("Bình", "A2 L"), start=10)
    assert store.scalar("SELECT u.username FROM customers c JOIN users u ON u.id = c.staff_id "
                        "WHERE c.display_name = 'Bình'") == "lan"


def test_a_corrected_comment_making_a_new_order_takes_the_same_turn(store, livestream_id, three_staff):
    lan, hang, thu = three_staff
    assignment.set_on_duty(store, livestream_id, [hang.id, thu.id], by=lan)
    feed(store, livestream_id, ("An", "A1 M"), ("Bình", "A1 còn size L không shop?"))
    question = store.scalar("SELECT c.id FROM comments c JOIN customers u ON u.id = c.customer_id "
                            "WHERE u.display_name = 'Bình'")
    ingest.order_from_corrected_comment(store, question, "A1 L", actor="hang")
    assert staff_of(store, livestream_id) == {"An": "hang", "Bình": "thu"}


def test_the_owner_reassigns_a_customer_with_their_open_orders_and_staff_claim_and_release(
        store, livestream_id, three_staff):
    lan, hang, thu = three_staff
    assignment.set_on_duty(store, livestream_id, [lan.id], by=lan)
    feed(store, livestream_id, ("An", "A1 M"))
    customer_id = store.scalar("SELECT id FROM customers WHERE display_name = 'An'")
    order_id = store.scalar("SELECT id FROM orders WHERE customer_id = ?", [customer_id])
    with pytest.raises(AccessDenied):
        assignment.assign_customer(store, customer_id, hang.id, by=lan)
    with pytest.raises(AccessDenied, match="ask the owner"):
        assignment.claim_customer(store, customer_id, by=hang)
    assignment.assign_customer(store, customer_id, hang.id, by=SYSTEM_USER)
    assert staff_of(store, livestream_id) == {"An": "hang"}
    assert orders.order_events(store, order_id)[-1]["actor"] == "system"
    with pytest.raises(AccessDenied):
        assignment.release_customer(store, customer_id, by=lan)
    assignment.release_customer(store, customer_id, by=hang)
    assert staff_of(store, livestream_id) == {"An": None}
    assignment.claim_customer(store, customer_id, by=thu)
    assert staff_of(store, livestream_id) == {"An": "thu"}
    last = orders.order_events(store, order_id)[-1]
    assert (last["actor"], last["action"]) == ("thu", "staff_changed")


def test_one_order_is_reassigned_claimed_and_released_on_its_own(store, livestream_id, three_staff):
    lan, hang, thu = three_staff
    assignment.set_on_duty(store, livestream_id, [lan.id], by=lan)
    feed(store, livestream_id, ("An", "A1 M"))
    order = orders.get_order(store, store.scalar("SELECT id FROM orders"))
    with pytest.raises(AccessDenied):
        assignment.claim_order(store, order.id, by=hang)
    assignment.release_order(store, order.id, by=lan)
    assignment.claim_order(store, order.id, by=hang)
    assert orders.get_order(store, order.id).staff_name == "Đỗ Thu Hằng"
    assert orders.get_order(store, order.id).version == order.version  # an open edit form is not made stale
    with pytest.raises(AccessDenied):
        assignment.assign_order(store, order.id, thu.id, by=hang)
    assignment.assign_order(store, order.id, thu.id, by=SYSTEM_USER)
    assert orders.get_order(store, order.id).staff_name == "Lê Thu"
    assert store.scalar("SELECT u.username FROM customers c JOIN users u ON u.id = c.staff_id") == "lan"
