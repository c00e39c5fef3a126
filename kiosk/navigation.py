"""Which screen the kiosk shows, and the way back through the screens the citizen came by."""

from __future__ import annotations

from collections.abc import Callable

from kiosk.state import Screen


class Navigation:
    """The current screen and its history; ``on_screen`` hears each change of screen,
    ``notify`` every change at all (the views re-render)."""

    def __init__(self, on_screen: Callable[[Screen], None], notify: Callable[[], None]) -> None:
        self._on_screen = on_screen
        self._notify = notify
        self.screen = Screen.WELCOME
        self._history: list[Screen] = []

    def go(self, screen: Screen) -> None:
        """Forward to ``screen``; ``back`` returns to the one shown now."""
        if screen is not self.screen:
            self._history.append(self.screen)
        self.show(screen)

    def show(self, screen: Screen) -> None:
        """Show ``screen`` without remembering the way (welcome forgets it all)."""
        if screen is Screen.WELCOME:
            self._history.clear()
        changed = screen is not self.screen
        self.screen = screen
        if changed:
            self._on_screen(screen)
        self._notify()

    def previous(self) -> Screen:
        """The screen to go back to, taken off the history."""
        return self._history.pop() if self._history else Screen.WELCOME

    def forget(self) -> None:
        self._history.clear()
