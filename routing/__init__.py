"""The Twilio webhooks for voice (and, later, SMS), and outbound messages."""
from __future__ import annotations
