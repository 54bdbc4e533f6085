"""Access at the edges (issue 13, items 5-9): parallel password guessing, the owner set-up that cannot come back,
throttling by name and by address, weak passwords, and the command line while the app holds the database."""

import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from core.base.errors import AccessDenied, InvalidInput, LoginRefused
from core.base.formatting import utc_now
from core.domain.users import SYSTEM_USER
from core.services import auth, staff

ROOT = Path(__file__).resolve().parents[2]
OWNER_PASSWORD = "hoa-owner-secret-7"
ELSEWHERE = "192.168.1.50"
ATTACKER = "192.168.1.66"


@pytest.fixture
def owner(store):
    return auth.set_up_owner(store, "owner", "Chị Hoa", OWNER_PASSWORD)


def _checks(monkeypatch):
    """Counts the password checks log_in makes (argon2 verifications)."""
    checked = []
    real = auth._verify

    def counting(password_hash, password):
        checked.append(password)
        return real(password_hash, password)

    monkeypatch.setattr(auth, "_verify", counting)
    return checked


# -- item 5: parallel guesses --------------------------------------------------------------------------------------
def test_forty_parallel_wrong_passwords_lock_the_account_and_few_are_checked(store, owner, monkeypatch):
    checked = _checks(monkeypatch)
    start = threading.Barrier(40)
    answers = []

    def guess(n):
        start.wait()
        try:
            auth.log_in(store, "owner", f"guess-{n}", client=ATTACKER)
        except LoginRefused as refusal:
            answers.append(refusal.text.key)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 40
    state = auth.lock_states(store)[owner.id]
    assert state["locked_until"] is not None and state["failures"] == auth.FAILURES_BEFORE_LOCK
    assert len(checked) <= auth.FAILURES_BEFORE_LOCK
    assert "auth.locked_until" in answers
    with pytest.raises(LoginRefused, match="locked"):
        auth.log_in(store, "owner", OWNER_PASSWORD, client=ELSEWHERE, now=utc_now() + timedelta(minutes=1))


# -- item 6: no take-over through the set-up page ------------------------------------------------------------------
def test_the_last_owner_with_a_password_cannot_switch_themselves_off(store, owner):
    staff.add_user(store, "owner2", "Anh Nam", "owner", by=owner)  # an owner without a password
    with pytest.raises(InvalidInput, match="last owner"):
        staff.set_active(store, owner.id, False, by=owner)
    assert not auth.owner_setup_needed(store)
    staff.add_user(store, "owner3", "Chị Mai", "owner", by=owner, password="mai-owner-secret-9")
    staff.set_active(store, owner.id, False, by=owner)  # another owner can still log in


def test_the_set_up_page_never_comes_back_once_an_owner_had_a_password(store, owner):
    with store.transaction() as cur:  # whatever happens to the owners afterwards
        cur.execute("UPDATE users SET active = FALSE WHERE id = ?", [owner.id])
    assert not auth.owner_setup_needed(store)
    with pytest.raises(AccessDenied, match="already set up"):
        auth.set_up_owner(store, "mallory", "Mallory", "mallory-takes-over-1")


def test_the_demo_shops_passwordless_owner_is_set_up_on_first_start(store):
    staff.add_user(store, "owner", "Chủ shop", "owner", by=SYSTEM_USER)
    assert auth.owner_setup_needed(store)
    auth.set_up_owner(store, "owner", "Chị Hoa", OWNER_PASSWORD)
    assert not auth.owner_setup_needed(store)


# -- item 7: lock-out as a weapon, name guessing ---------------------------------------------------------------------
def _lock(store, username, client, moment):
    for failures in range(1, auth.FAILURES_BEFORE_LOCK + 1):
        with pytest.raises(LoginRefused) as refused:
            auth.log_in(store, username, "wrong-guess", client=client, now=moment)
        moment += auth.wait_after(failures)
    return moment, refused.value


def test_a_locked_owner_still_logs_in_on_the_shops_own_computer(store, owner):
    moment, _ = _lock(store, "owner", ATTACKER, utc_now())
    with pytest.raises(LoginRefused, match="locked"):
        auth.log_in(store, "owner", OWNER_PASSWORD, client=ELSEWHERE, now=moment)
    for loopback in ("127.0.0.1", "::1"):
        assert auth.log_in(store, "owner", OWNER_PASSWORD, client=loopback, now=moment).user == owner


def test_one_address_guessing_many_names_is_locked_by_its_address(store, owner):
    moment = utc_now()
    for n in range(1, auth.FAILURES_BEFORE_LOCK + 1):
        with pytest.raises(LoginRefused):
            auth.log_in(store, f"name{n}", "wrong-guess", client=ATTACKER, now=moment)
        moment += auth.wait_after(n)
    with pytest.raises(LoginRefused, match="locked"):
        auth.log_in(store, "owner", OWNER_PASSWORD, client=ATTACKER, now=moment)
    assert auth.log_in(store, "owner", OWNER_PASSWORD, client=ELSEWHERE, now=moment).user == owner


def test_an_unknown_name_gets_the_same_waits_messages_and_lock_as_a_known_one(store, owner):
    def answers(username, client):
        moment, said = utc_now(), []
        for failures in range(1, auth.FAILURES_BEFORE_LOCK + 1):
            for now in (moment, moment + auth.wait_after(failures) / 2):  # a try, then one during the wait
                try:
                    auth.log_in(store, username, "wrong-guess", client=client, now=now)
                except LoginRefused as refusal:
                    said.append((refusal.text.key, refusal.text.params.get("seconds")))
            moment += timedelta(minutes=1)
        return said

    assert answers("owner", "10.0.0.1") == answers("nobody-here", "10.0.0.2")
    assert auth.log_in(store, "owner", OWNER_PASSWORD, client="127.0.0.1").user == owner


# -- item 9: weak passwords ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("password, reason", [
    ("12345678", "most common"), ("password", "most common"), ("Password1", "most common"),
    ("mai.tran", "username"), ("aaaaaaaaaa", "one character"), ("abcdefghij", "run such as"),
    ("98765432", "run such as"),
])
def test_weak_passwords_are_refused_with_a_reason(store, owner, password, reason):
    user_id = staff.add_user(store, "mai.tran", "Trần Mai", by=owner)
    with pytest.raises(InvalidInput, match=reason):
        auth.set_password(store, user_id, password, by=owner)
    auth.set_password(store, user_id, "mai-likes-tea-42", by=owner)


# -- item 8: the command line while the app holds the database -----------------------------------------------------
def _cli(*args, db, stdin=""):
    return subprocess.run([sys.executable, "-m", "core", "--db", str(db), *args], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def test_every_command_says_the_app_holds_the_database_and_exits_2(store, owner, tmp_path):
    items = tmp_path / "items.csv"
    items.write_text("code,name,price,stock,sizes,colors\nA1,Áo,150000,5,,\n", encoding="utf-8")
    for args in (("init",), ("orders", "--livestream", "1"), ("push", "--once"),
                 ("livestream", "create", "--title", "x", "--items", str(items)),
                 ("order", "ship", "L1-001"), ("ingest", str(items), "--livestream", "1")):
        done = _cli(*args, db=store.path)
        assert done.returncode == 2, (args, done.stderr)
        assert done.stderr.strip() == "Chotdon is running and holds the database; stop it or use the app.", args
        assert "IOException" not in done.stderr and "lock on file" not in done.stderr


def test_the_owner_unlocks_through_a_one_time_code_while_the_app_runs(store, owner):
    _lock(store, "owner", ATTACKER, utc_now())
    _lock(store, "owner", "127.0.0.1", utc_now())  # the shop computer's own address locked too
    with pytest.raises(LoginRefused, match="locked"):
        auth.log_in(store, "owner", OWNER_PASSWORD, client="127.0.0.1")

    done = _cli("user", "unlock", "owner", db=store.path)
    assert done.returncode == 0, done.stderr
    code = done.stdout.split("the code ")[1].split()[0]
    assert auth.access_code_waiting(store)
    with pytest.raises(AccessDenied):
        auth.redeem_access_code(store, "owner", code, None, client=ELSEWHERE)
    assert auth.redeem_access_code(store, "owner", code, None, client="127.0.0.1") == owner
    assert not auth.access_code_waiting(store)
    assert auth.log_in(store, "owner", OWNER_PASSWORD, client=ELSEWHERE).user == owner
    with pytest.raises(InvalidInput, match="No one-time code"):
        auth.redeem_access_code(store, "owner", code, None, client="127.0.0.1")


def test_a_password_code_sets_the_new_password_and_a_wrong_code_voids_it(store, owner):
    done = _cli("user", "password", "owner", db=store.path)
    assert done.returncode == 0, done.stderr
    code = done.stdout.split("the code ")[1].split()[0]
    with pytest.raises(InvalidInput, match="new password"):
        auth.redeem_access_code(store, "owner", code, None, client="::1")
    with pytest.raises(InvalidInput, match="most common"):
        auth.redeem_access_code(store, "owner", code, "password", client="::1")
    auth.redeem_access_code(store, "owner", code, "a-brand-new-secret-5", client="::1")
    assert auth.log_in(store, "owner", "a-brand-new-secret-5", client=ELSEWHERE).user == owner

    again = _cli("user", "password", "owner", db=store.path).stdout.split("the code ")[1].split()[0]
    with pytest.raises(InvalidInput, match="wrong"):
        auth.redeem_access_code(store, "owner", "000000-000000", "another-secret-77", client="::1")
    with pytest.raises(InvalidInput, match="No one-time code"):
        auth.redeem_access_code(store, "owner", again, "another-secret-77", client="::1")
