"""Telling a citizen the turn is near: the live tracking pages' hub, the messaging
gateway (SMS / Zalo ZNS) and Web Push (docs/tracking.md)."""
