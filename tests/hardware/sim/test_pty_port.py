"""The pty stand-in for a serial cable: a stable path, bytes both ways, unplug and replug."""

import os

import serial

from hardware.sim.pty_port import PtyPort


def test_bytes_flow_both_ways_and_the_path_survives_a_replug():
    with PtyPort("ttyTEST") as port:
        path = port.path
        assert path.is_symlink()
        link = serial.Serial(str(path), timeout=2)
        try:
            port.write(b"hello")
            assert link.read(5) == b"hello"
            link.write(b"back")
            assert port.read(timeout=2) == b"back"
        finally:
            link.close()
        first_target = os.readlink(path)
        port.disconnect()
        assert not path.exists() and not port.connected
        port.write(b"dropped while unplugged")  # silently lost, like a cable in the air
        assert port.read(timeout=0) == b""
        port.reconnect()
        assert port.path == path and path.exists()
        link = serial.Serial(str(path), timeout=2)
        try:
            port.write(b"again")
            assert link.read(5) == b"again"
        finally:
            link.close()
        assert port.connected
        assert os.readlink(path).startswith("/dev/pts/")
        assert first_target.startswith("/dev/pts/")


def test_close_removes_its_folder():
    port = PtyPort()
    folder = port.directory
    port.close()
    assert not folder.exists()
