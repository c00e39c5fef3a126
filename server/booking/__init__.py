"""Appointments: a field's bookable slots, the citizen's booking pages (``/book/``), the
portal's API and the kiosk's check-in (docs/booking.md)."""
