"""What every part of the repository stands on: one Session, and which database."""

from sqlalchemy.orm import Session


class SessionBound:
    def __init__(self, session: Session) -> None:
        self.s = session

    @property
    def _postgresql(self) -> bool:
        return self.s.get_bind().dialect.name == "postgresql"
