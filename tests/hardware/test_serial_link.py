"""The self-healing serial link: loop://, a pty that vanishes and returns, bad handlers."""

import pytest

from hardware.ports import DeviceConfigError
from hardware.serial_link import NotConnectedError, SerialLink, split_port_url
from hardware.sim.pty_port import PtyPort
from tests.hardware.waiting import wait_until


class Lines(SerialLink[str]):
    def __init__(self, port, on_item=None):
        super().__init__(port, on_item, name="lines")
        self.buf = b""

    def parse(self, data):
        self.buf += data
        *lines, self.buf = self.buf.split(b"\n")
        return [line.decode() for line in lines]

    def reset(self):
        self.buf = b""


def test_loop_url_reads_back_what_it_writes():
    got = []
    with Lines("loop://", got.append) as link:
        assert link.wait_connected(5)
        link.write(b"hello\nworld\n")
        assert wait_until(lambda: got == ["hello", "world"])


def test_reconnects_when_the_port_vanishes_and_returns():
    got = []
    with PtyPort() as port, Lines(str(port.path), got.append) as link:
        assert link.wait_connected(5)
        port.write(b"one\n")
        assert wait_until(lambda: got == ["one"])
        port.disconnect()
        assert wait_until(lambda: not link.connected)
        with pytest.raises(NotConnectedError):
            link.write(b"lost\n")
        port.reconnect()
        assert link.wait_connected(10)
        port.write(b"two\n")
        assert wait_until(lambda: got == ["one", "two"])
        assert link.reconnects == 1


def test_app_writes_reach_the_device():
    with PtyPort() as port, Lines(str(port.path)) as link:
        assert link.wait_connected(5)
        link.write(b"ping")
        assert port.read(timeout=5) == b"ping"


def test_a_port_that_is_not_there_yet_is_waited_for(tmp_path):
    port = PtyPort(directory=tmp_path)
    port.disconnect()
    got = []
    with Lines(str(port.path), got.append) as link:
        assert not link.wait_connected(0.3)
        port.reconnect()
        assert link.wait_connected(10)
        port.write(b"late\n")
        assert wait_until(lambda: got == ["late"])
    port.close()


def test_a_failing_handler_does_not_kill_the_reader():
    got = []

    def handler(item):
        if item == "bad":
            raise RuntimeError("handler bug")
        got.append(item)

    with Lines("loop://", handler) as link:
        assert link.wait_connected(5)
        link.write(b"bad\ngood\n")
        assert wait_until(lambda: got == ["good"])


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/dev/ttyUSB0", ("/dev/ttyUSB0", 9600)),
        ("loop://", ("loop://", 9600)),
        ("serial:///dev/ttyS1?baudrate=19200", ("/dev/ttyS1", 19200)),
    ],
)
def test_port_urls(url, expected):
    assert split_port_url(url) == expected


@pytest.mark.parametrize(
    "url", ["", "serial://", "serial:///dev/ttyS1?baudrate=fast", "serial:///dev/ttyS1?baudrate=0"]
)
def test_bad_port_urls(url):
    with pytest.raises(DeviceConfigError):
        split_port_url(url)
