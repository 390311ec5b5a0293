"""The signature Relève computes on every webhook is Twilio's own, for any parameters."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from routing.signature import compute_signature
from tests.routing.conftest import TOKEN


@given(url=st.sampled_from(["https://releve.example.org/twilio/voice",
                            "https://releve.example.org/twilio/voice/dial?practice=cabinet-dupont&chain=a%2Cb&step=1"]),
       pairs=st.lists(st.tuples(st.text(min_size=1, max_size=12), st.text(max_size=20)), max_size=12))
def test_the_signature_is_computed_exactly_as_twilio_computes_it(url, pairs):
    form = MultiDict(pairs)

    assert compute_signature(TOKEN, url, form) == RequestValidator(TOKEN).compute_signature(url, form)
