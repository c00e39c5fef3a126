"""What a citizen is told when the turn is near (SMS / Zalo and Web Push), Vietnamese
first; ``{number}``, ``{ahead}`` and ``{site}`` are filled in."""

NEAR_TITLE = {"vi": "Sắp đến lượt", "en": "Your turn is near"}

NEAR_TEXT = {
    "vi": "Sắp đến lượt quý khách: số {number}, còn {ahead} người phía trước. "
    "Xin mời quý khách quay lại sảnh chờ {site}.",
    "en": "Your turn is near: number {number}, {ahead} people ahead of you. "
    "Please come back to the waiting hall of {site}.",
}
