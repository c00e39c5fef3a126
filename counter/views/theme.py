"""Fonts and colours of the terminal: readable at arm's length, every diacritic whole."""

import logging
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansCondensed-Bold.ttf")
FAMILY = "DejaVu Sans"

GREEN = "#1b7f3b"
BLUE = "#1f5fa8"
RED = "#b3261e"
AMBER = "#9a6700"
GREY = "#5f6368"
INK = "#1d1d1f"
PAPER = "#f4f6f8"

STYLE = f"""
QWidget {{ color: {INK}; }}
QWidget#terminal, QWidget#login {{ background: {PAPER}; }}
QFrame#card {{ background: white; border: 1px solid #d5dae0; border-radius: 10px; }}
QLabel#title {{ font-size: 20px; font-weight: bold; }}
QLabel#section {{ font-size: 17px; font-weight: bold; color: {BLUE}; }}
QLabel#number {{ font-size: 84px; font-weight: bold; color: {BLUE}; }}
QLabel#number[empty="true"] {{ font-size: 22px; font-weight: normal; color: {GREY}; }}
QLabel#field {{ font-size: 20px; }}
QLabel#detail {{ font-size: 16px; color: {GREY}; }}
QLabel#priority {{ font-size: 16px; font-weight: bold; color: white; background: {AMBER};
    border-radius: 6px; padding: 3px 10px; }}
QLabel#pill {{ font-size: 15px; font-weight: bold; color: white; border-radius: 6px;
    padding: 4px 12px; }}
QLabel#banner {{ font-size: 16px; font-weight: bold; color: white; padding: 10px 14px;
    border-radius: 8px; }}
QLabel#message {{ font-size: 16px; color: {RED}; font-weight: bold; }}
QLabel#footer {{ font-size: 13px; color: {GREY}; }}
QLabel#stat {{ font-size: 24px; font-weight: bold; }}
QLabel#qfield {{ font-size: 16px; }}
QLabel#qcount {{ font-size: 20px; font-weight: bold; }}
QLabel#statname {{ font-size: 14px; color: {GREY}; }}
QPushButton {{ font-size: 17px; min-height: 52px; padding: 4px 14px; border-radius: 8px;
    background: #e8edf3; border: 1px solid #c4ccd6; }}
QPushButton:disabled {{ color: #9aa3ad; background: #eef0f2; border-color: #dde1e5; }}
QPushButton#primary {{ font-size: 26px; font-weight: bold; min-height: 84px; color: white;
    background: {GREEN}; border: none; }}
QPushButton#primary:disabled {{ background: #9cc8aa; color: #f0f0f0; }}
QPushButton#danger {{ color: white; background: {RED}; border: none; }}
QPushButton#danger:disabled {{ background: #e3aaa6; color: #f7f7f7; }}
QPushButton#small {{ font-size: 15px; min-height: 44px; }}
QPushButton#small:disabled {{ color: #9aa3ad; background: #eef0f2; border-color: #dde1e5; }}
QLineEdit, QComboBox {{ font-size: 18px; min-height: 44px; padding: 2px 8px; }}
QLineEdit#pin {{ font-size: 36px; min-height: 60px; }}
QPushButton#digit {{ font-size: 28px; font-weight: bold; min-height: 60px; min-width: 120px;
    background: white; }}
QPushButton#digit:pressed {{ background: #d5e3f3; }}
QListWidget {{ font-size: 17px; border: none; }}
"""


def install_fonts(app: QApplication) -> None:
    """Load DejaVu Sans into Qt (offscreen Qt sees no system fonts) and make it the default."""
    for name in FONT_FILES:
        path = FONT_DIR / name
        if path.exists() and QFontDatabase.addApplicationFont(str(path)) < 0:
            log.warning("could not load font %s", path)
    font = QFont(FAMILY, 12)
    app.setFont(font)
    app.setStyleSheet(STYLE)
