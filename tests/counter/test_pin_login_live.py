"""PIN login at a known counter, through the view-model and the real login page, against
the real server (demo PINs: clerkNN -> NNNN)."""

import httpx
import pytest

from appkit.offthread import OffThread
from counter.app import AppOptions, CounterApp
from counter.client import CounterClient
from counter.session import LoginViewModel
from counter.settings import SettingsStore
from counter.viewmodel import CounterViewModel
from tests.counter.conftest import issue, settings_for, terminal_ready, vm_of

FIELD = "tp-hotich"  # counter 2 serves it
OTHER_FIELD = "tp-lltp"


@pytest.fixture
def worker():
    running = OffThread(in_order=True)
    yield running
    running.shutdown()


def pc_client(server, number: int = 3) -> CounterClient:
    """The client of a registered counter PC (the demo's ``counter-pc-N`` token)."""
    client = CounterClient(server.base_url)
    client.device_token = server.tokens[f"counter-pc-{number}"]
    return client


def test_pin_is_offered_only_where_the_counter_is_known(qtbot, live_server, store, worker):
    client = pc_client(live_server)
    unknown = LoginViewModel(client, worker, store, settings_for(live_server))
    assert not unknown.pin_available  # a new PC does not know its counter yet
    with qtbot.waitSignal(unknown.failed) as failed:
        unknown.submit_pin("0303")
    assert "tên và mật khẩu" in failed.args[0]
    vm = LoginViewModel(client, worker, store, settings_for(live_server, counter="3"))
    assert vm.pin_available
    for bad in ("12", "123456789", "12a4", "１２３４"):
        with qtbot.waitSignal(vm.failed) as failed:
            vm.submit_pin(bad)
        assert failed.args[0] == "Mã PIN gồm 4 đến 8 chữ số."
    assert client.token is None
    # The PIN names its clerk: clerk04 may log in at counter 3 too.
    with qtbot.waitSignal(vm.logged_in) as logged_in:
        vm.submit_pin("0404")
    assert logged_in.args[0].username == "clerk04"
    client.close()


def test_a_pc_without_its_device_token_offers_no_pin(qtbot, live_server, store, worker):
    """The server takes PINs only from registered counter PCs: a PC without its token
    shows the password form, and says why if a PIN is tried anyway."""
    client = CounterClient(live_server.base_url)
    vm = LoginViewModel(client, worker, store, settings_for(live_server, counter="3"))
    assert not vm.pin_available
    with qtbot.waitSignal(vm.failed) as failed:
        vm.submit_pin("0303")
    assert "chưa được đăng ký là máy quầy" in failed.args[0]
    assert client.token is None
    # A token that is not a counter PC's (here the kiosk's): the server's refusal.
    client.device_token = live_server.kiosk_token
    with qtbot.waitSignal(vm.failed) as failed:
        vm.submit_pin("0303")
    assert "máy quầy đã đăng ký" in failed.args[0] and client.token is None
    client.close()


def test_a_wrong_pin_then_the_right_one(qtbot, live_server, store, worker):
    client = pc_client(live_server)
    vm = LoginViewModel(client, worker, store, settings_for(live_server, counter="3"))
    with qtbot.waitSignal(vm.failed) as failed:
        vm.submit_pin("9999")
    assert failed.args[0] == "Mã PIN không đúng."
    assert client.token is None and vm.login is None
    with qtbot.waitSignal(vm.counters_loaded):
        vm.submit_pin("0303")
    assert vm.login is not None and vm.login.username == "clerk03"
    assert client.token == vm.login.token
    assert vm.default_counter() == "3"
    with qtbot.waitSignal(vm.ready):
        vm.choose("3")
    assert store.load().counter == "3" and store.load().username == "clerk03"
    client.close()


def test_five_wrong_pins_lock_the_counter(qtbot, live_server, store, worker):
    client = pc_client(live_server, 4)
    vm = LoginViewModel(client, worker, store, settings_for(live_server, counter="4"))
    for _ in range(5):
        with qtbot.waitSignal(vm.failed) as failed:
            vm.submit_pin("9999")
        assert failed.args[0] == "Mã PIN không đúng."
    with qtbot.waitSignal(vm.failed) as failed:
        vm.submit_pin("0404")
    assert "quá nhiều lần tại quầy 4" in failed.args[0]
    # Username and password still work at this counter.
    with qtbot.waitSignal(vm.counters_loaded):
        vm.submit(*live_server.clerks["4"])
    client.close()


def test_the_login_page_logs_in_by_pin(qtbot, live_server, tmp_path):
    store = SettingsStore.in_dir(tmp_path / "pc")
    app = CounterApp(
        AppOptions(
            settings=settings_for(live_server, counter="2"),
            store=store,
            retry_delays_ms=(),
            probe_ms=0,
            device_token=live_server.tokens["counter-pc-2"],
        )
    )
    qtbot.addWidget(app.window)
    app.show()
    try:
        view = app.login_view
        assert view.pin_mode and view.pin_page.isVisible()
        assert view.pin_label.text() == "Nhập mã PIN tại Quầy 2"
        # A wrong PIN on the on-screen pad: the server's message, the field cleared.
        for key in "1234":
            view.digits[key].click()
        assert view.pin.text() == "1234"
        assert view.pin.echoMode() == view.pin.EchoMode.Password
        view.pin_button.click()
        qtbot.waitUntil(lambda: view.error.text() == "Mã PIN không đúng.", timeout=10000)
        assert view.pin.text() == ""
        # Letters never get in; the pad's erase keys work.
        qtbot.keyClicks(view.pin, "0a2b")
        assert view.pin.text() == "02"
        view.digits["back"].click()
        view.digits["erase"].click()
        assert view.pin.text() == ""
        # Switch to username and password and back.
        view.to_password.click()
        assert view.password_page.isVisible() and view.to_pin.isVisible()
        view.to_pin.click()
        assert view.pin_mode
        for key in "0202":
            view.digits[key].click()
        view.pin_button.click()
        qtbot.waitUntil(view.picker.isVisible, timeout=10000)
        assert not view.modes.isVisible()
        assert view.hello.text() == app.login_vm.login.display_name
        assert view.counter.currentData() == "2"
        view.start_button.click()
        qtbot.waitUntil(lambda: terminal_ready(app), timeout=10000)
        assert vm_of(app).counter_id == "2"
        assert store.load().counter == "2"
    finally:
        app.shutdown()


@pytest.mark.parametrize("keep", [True, False], ids=["keep-place", "to-front"])
def test_transfer_keeps_the_place_or_goes_to_the_front(qtbot, live_server, worker, keep):
    before = issue(live_server, OTHER_FIELD)
    moving = issue(live_server, FIELD)
    after = issue(live_server, OTHER_FIELD)
    client = CounterClient(live_server.base_url)
    client.login(*live_server.clerks["2"])
    vm = CounterViewModel(client, worker, live_server.site, "2", probe_ms=0)
    with qtbot.waitSignal(vm.action_done):
        vm.call_next()
    assert vm.current is not None and vm.current.number == moving["number"]
    with qtbot.waitSignal(vm.action_done) as done:
        vm.transfer(to_service=OTHER_FIELD, keep_place=keep)
    assert done.args == ["transfer", "ok"]
    queue = httpx.get(
        f"{live_server.base_url}/api/v1/sites/{live_server.site}/queue",
        headers={"Authorization": f"Bearer {client.token}"},
        timeout=10,
    ).json()
    line = next(s for s in queue["services"] if s["code"] == OTHER_FIELD)
    numbers = [t["number"] for t in line["waiting"]]
    if keep:  # issued between the other two: it stays between them
        assert numbers == [before["number"], moving["number"], after["number"]]
    else:
        assert numbers == [moving["number"], before["number"], after["number"]]
    client.close()
