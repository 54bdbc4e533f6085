"""Access in core: the owner set-up, passwords, the slow-down and lockout after wrong passwords, server-side
sessions, and owner-only functions refusing staff."""

from datetime import timedelta

import pytest

from core.base.errors import AccessDenied, InvalidInput, LoginRefused
from core.base.formatting import utc_now
from core.domain.users import SYSTEM_USER
from core.services import auth, livestreams, shipping, sources, sql_console, staff

PASSWORD = "lan-password-1"


@pytest.fixture
def lan(store, livestream_id):
    """The staff member Lan, with a password."""
    user = auth.user_by_username(store, "lan")
    auth.set_password(store, user.id, PASSWORD, by=SYSTEM_USER)
    return user


def test_a_new_shop_needs_its_owner_set_up_and_the_set_up_refuses_a_second_time(store):
    assert auth.owner_setup_needed(store)
    with pytest.raises(InvalidInput, match="at least 8"):
        auth.set_up_owner(store, "hoa", "Chị Hoa", "short")
    owner = auth.set_up_owner(store, "Hoa", "Chị Hoa", "a-good-password")
    assert (owner.username, owner.role) == ("hoa", "owner")
    assert not auth.owner_setup_needed(store)
    stored = store.scalar("SELECT password_hash FROM users WHERE username = 'hoa'")
    assert stored.startswith("$argon2id$") and "a-good-password" not in stored
    with pytest.raises(AccessDenied, match="already set up"):
        auth.set_up_owner(store, "mallory", "Mallory", "another-password")


def test_the_set_up_gives_a_password_to_the_demo_shops_passwordless_owner(store):
    staff.add_user(store, "owner", "Chủ shop", "owner", by=SYSTEM_USER)
    auth.set_up_owner(store, "owner", "Chị Hoa", "a-good-password")
    assert store.scalar("SELECT count(*) FROM users WHERE role = 'owner'") == 1
    assert auth.log_in(store, "owner", "a-good-password").user.display_name == "Chị Hoa"


def test_the_right_password_starts_a_session_and_a_wrong_one_is_refused(store, lan):
    session = auth.log_in(store, " LAN ", PASSWORD)
    assert session.user == lan
    assert auth.session_user(store, session.token).user == lan
    with pytest.raises(LoginRefused, match="Wrong username or password"):
        auth.log_in(store, "lan", "not-it", now=utc_now() + timedelta(minutes=1))
    with pytest.raises(LoginRefused, match="Wrong username or password"):
        auth.log_in(store, "nobody", PASSWORD)


def test_wrong_passwords_slow_down_then_lock_the_account_until_the_owner_unlocks_it(store, lan):
    start = utc_now()
    moment = start
    for failures in range(1, auth.FAILURES_BEFORE_LOCK, 2):
        with pytest.raises(LoginRefused, match="Wrong username or password"):
            auth.log_in(store, "lan", "wrong", now=moment)
        wait = auth.wait_after(failures)
        # A try before the wait is over is refused without looking at the password, even the right one, and
        # counts as a wrong one: it waits longer again.
        moment += wait - timedelta(milliseconds=200)
        with pytest.raises(LoginRefused, match="wait"):
            auth.log_in(store, "lan", PASSWORD, now=moment)
        moment += auth.wait_after(failures + 1)
    assert [auth.wait_after(n).total_seconds() for n in range(1, 5)] == [1, 2, 4, 8]
    with pytest.raises(LoginRefused, match="locked for 15 minutes"):
        auth.log_in(store, "lan", "wrong", now=moment)
    with pytest.raises(LoginRefused, match="locked"):
        auth.log_in(store, "lan", PASSWORD, now=moment + timedelta(minutes=14))
    assert auth.lock_states(store, now=moment)[lan.id]["locked_until"] is not None

    with pytest.raises(AccessDenied):
        auth.unlock(store, lan.id, by=lan)
    auth.unlock(store, lan.id, by=SYSTEM_USER)
    assert auth.log_in(store, "lan", PASSWORD, now=moment + timedelta(minutes=1)).user == lan


def test_a_lock_ends_by_itself_after_a_quarter_of_an_hour(store, lan):
    moment = utc_now()
    for failures in range(1, auth.FAILURES_BEFORE_LOCK + 1):
        with pytest.raises(LoginRefused):
            auth.log_in(store, "lan", "wrong", now=moment)
        moment += auth.wait_after(failures)
    with pytest.raises(LoginRefused, match="locked"):
        auth.log_in(store, "lan", PASSWORD, now=moment)
    assert auth.log_in(store, "lan", PASSWORD, now=moment + timedelta(minutes=16)).user == lan


def test_a_session_ends_on_logout_on_expiry_on_a_password_reset_and_when_switched_off(store, lan):
    first = auth.log_in(store, "lan", PASSWORD)
    auth.log_out(store, first.token)
    assert auth.session_user(store, first.token) is None

    second = auth.log_in(store, "lan", PASSWORD)
    later = utc_now() + timedelta(hours=auth.SESSION_HOURS, minutes=1)
    assert auth.session_user(store, second.token, now=later) is None
    auth.set_password(store, lan.id, "a-new-password", by=SYSTEM_USER)
    assert auth.session_user(store, second.token) is None

    third = auth.log_in(store, "lan", "a-new-password")
    staff.set_active(store, lan.id, False, by=SYSTEM_USER)
    assert auth.session_user(store, third.token) is None
    with pytest.raises(LoginRefused, match="switched off"):
        auth.log_in(store, "lan", "a-new-password")


def test_a_forged_or_altered_token_is_worth_nothing(store, lan):
    session = auth.log_in(store, "lan", PASSWORD)
    session_id, signature = session.token.split(".")
    assert auth.session_user(store, f"{session_id}.{'0' * len(signature)}") is None
    assert auth.session_user(store, f"{session_id}x.{signature}") is None
    assert auth.session_user(store, session_id) is None
    # The database keeps only a hash of the id: the file alone does not give a working cookie.
    assert store.scalar("SELECT count(*) FROM sessions WHERE id_hash = ?", [session_id]) == 0


def test_changing_ones_own_password_needs_the_current_one_and_ends_the_other_sessions(store, lan):
    here = auth.log_in(store, "lan", PASSWORD)
    elsewhere = auth.log_in(store, "lan", PASSWORD)
    with pytest.raises(InvalidInput, match="current password is wrong"):
        auth.change_own_password(store, lan, "guess", "a-new-password")
    auth.change_own_password(store, lan, PASSWORD, "a-new-password", current_token=here.token)
    assert auth.session_user(store, here.token) is not None
    assert auth.session_user(store, elsewhere.token) is None


def test_owner_only_core_functions_refuse_staff(store, livestream_id, lan):
    items = livestreams.list_items(store, livestream_id)
    with pytest.raises(AccessDenied, match="Only the owner"):
        livestreams.save_items(store, livestream_id, items, by=lan)
    with pytest.raises(AccessDenied):
        livestreams.merge_items(store, livestream_id, items, by=lan)
    with pytest.raises(AccessDenied):
        livestreams.save_syntax_settings(store, livestream_id, {}, by=lan)
    with pytest.raises(AccessDenied):
        livestreams.set_blacklisted_order_comments(store, livestream_id, "orders", by=lan)
    with pytest.raises(AccessDenied):
        staff.add_user(store, "mai", "Trần Mai", by=lan)
    with pytest.raises(AccessDenied):
        staff.set_active(store, lan.id, False, by=lan)
    with pytest.raises(AccessDenied):
        auth.set_password(store, lan.id, "my-own-choice", by=lan)
    with pytest.raises(AccessDenied):
        sql_console.run_query(store, "SELECT 1", by=lan)
    with pytest.raises(AccessDenied):
        sql_console.save_query(store, "mine", "SELECT 1", actor="lan", by=lan)
    with pytest.raises(AccessDenied, match="carriers"):
        shipping.save_carriers(store, [shipping.Carrier(None, "GHN", 22000)], by=lan)
    with pytest.raises(AccessDenied, match="Facebook"):
        sources.save_source(store, livestream_id, by=lan, live_video_id="987654321012",
                             page_token="EAAB-a-page-token-of-the-shop")
    assert store.scalar("SELECT count(*) FROM users WHERE username = 'mai'") == 0
    assert shipping.list_carriers(store) == [] and not sources.load_source(store, livestream_id).token_saved
    owner = auth.set_up_owner(store, "hoa", "Chị Hoa", "a-good-password")
    assert livestreams.save_items(store, livestream_id, items, by=owner)["items"] == len(items)
    assert len(sql_console.run_query(store, "SELECT 1 AS one", by=owner).frame) == 1


def test_the_last_owner_cannot_be_switched_off(store):
    owner = auth.set_up_owner(store, "hoa", "Chị Hoa", "a-good-password")
    with pytest.raises(InvalidInput, match="last owner"):
        staff.set_active(store, owner.id, False, by=owner)


def test_the_session_cookie_name_is_the_shops_own(store, tmp_path):
    from core.db.store import Store

    other = Store(str(tmp_path / "other.duckdb"))
    try:
        assert auth.cookie_name(store).startswith("chotdon_")
        assert auth.cookie_name(store) != auth.cookie_name(other)
        assert auth.cookie_name(store) == auth.cookie_name(store)
    finally:
        other.close()
