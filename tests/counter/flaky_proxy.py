"""A TCP forwarder on 127.0.0.1 that can lose answers, to test retries on a real network path.

Modes: ``pass`` forwards both ways; ``swallow`` forwards the request to the server
but drops its answer and hangs up (the server acted, the client never heard);
``reset`` hangs up at once (the server is unreachable).
"""

import contextlib
import select
import socket
import threading


class FlakyProxy:
    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.mode = "pass"
        self.swallowed = 0
        self.refused = 0
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        accept = threading.Thread(target=self._accept, name="flaky-proxy", daemon=True)
        accept.start()
        self._threads.append(accept)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self._listener], [], [], 0.1)
            if not ready:
                continue
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.mode == "reset":
                self.refused += 1
                client.close()
                continue
            worker = threading.Thread(target=self._pump, args=(client,), daemon=True)
            worker.start()
            self._threads.append(worker)

    def _pump(self, client: socket.socket) -> None:
        with client, socket.create_connection(("127.0.0.1", self.upstream_port)) as upstream:
            while not self._stop.is_set():
                ready, _, _ = select.select([client, upstream], [], [], 0.1)
                for sock in ready:
                    try:
                        data = sock.recv(65536)
                    except OSError:
                        return
                    if not data:
                        return
                    if sock is client:
                        if self.mode == "reset":  # a kept-alive connection breaks too
                            self.refused += 1
                            return
                        upstream.sendall(data)
                    elif self.mode == "pass":
                        client.sendall(data)
                    else:
                        self.swallowed += 1
                        return

    def close(self) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            self._listener.close()
        for thread in self._threads:
            thread.join(timeout=2)
