"""Canonical JSON and ed25519 signatures against the spec's vectors and independent libraries.

``canonicaljson``, ``signedjson`` and PyNaCl (Synapse's own) are the independent
side here: the bot's code does not use them.
"""

from __future__ import annotations

import json

import canonicaljson
import nacl.signing
import pytest
import signedjson.key
import signedjson.sign
from hypothesis import given
from hypothesis import strategies as st

from bot.matrix.identity.signing import (
    SignatureError,
    SigningKey,
    b64decode,
    b64encode,
    canonical_json,
    cross_signing_key,
    ed25519_public,
    sign_json,
    verify_json,
)

# Matrix spec, appendix "Canonical JSON": input -> canonical form.
CANONICAL = [
    ('{}', '{}'),
    ('{"one": 1, "two": "Two"}', '{"one":1,"two":"Two"}'),
    ('{"b": "2", "a": "1"}', '{"a":"1","b":"2"}'),
    ('{"b":"2","a":"1"}', '{"a":"1","b":"2"}'),
    ('{ "auth": { "success": true, "mxid": "@john.doe:example.com", "profile": { "display_name": "John Doe",'
     ' "three_pids": [ { "medium": "email", "address": "john.doe@example.org" }, { "medium": "msisdn",'
     ' "address": "123456789" } ] } } }',
     '{"auth":{"mxid":"@john.doe:example.com","profile":{"display_name":"John Doe","three_pids":'
     '[{"address":"john.doe@example.org","medium":"email"},{"address":"123456789","medium":"msisdn"}]},'
     '"success":true}}'),
    ('{"a": "日本語"}', '{"a":"日本語"}'),
    ('{"本": 2, "日": 1}', '{"日":1,"本":2}'),
    ('{"a": "\\u65E5"}', '{"a":"日"}'),
    ('{"a": null}', '{"a":null}'),
    ('{"a": -0, "b": 1e10}', '{"a":0,"b":10000000000}'),
]

# Matrix spec, appendix "Signing JSON": the key "ed25519:1" with this seed.
SPEC_SEED = "YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1"
SPEC_SIGNATURES = [
    ({}, "K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ"),
    ({"one": 1, "two": "Two"},
     "KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw"),
]


def _integral(text: str) -> int:
    # The spec writes 1e10 in an example; JSON parsers read it as a float, which
    # canonical JSON does not have: it stands for the integer.
    value = float(text)
    assert value.is_integer()
    return int(value)


@pytest.mark.parametrize("given_text, expected", CANONICAL)
def test_canonical_json_matches_the_spec_examples(given_text, expected):
    value = json.loads(given_text, parse_float=_integral)
    assert canonical_json(value) == expected.encode("utf-8")
    assert canonical_json(value) == canonicaljson.encode_canonical_json(value)


@pytest.mark.parametrize("value", [1.5, {"a": 0.1}, [float("nan")], 2**53, {1: "a"}, {"a": object()}])
def test_canonical_json_refuses_what_has_no_canonical_form(value):
    with pytest.raises(ValueError):
        canonical_json(value)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_canonical_json_agrees_with_canonicaljson(value):
    assert canonical_json(value) == canonicaljson.encode_canonical_json(value)


@pytest.mark.parametrize("obj, signature", SPEC_SIGNATURES)
def test_signatures_match_the_spec_examples(obj, signature):
    key = SigningKey.from_seed(b64decode(SPEC_SEED))
    signed = sign_json(obj, "domain", key, "ed25519:1")
    assert signed["signatures"] == {"domain": {"ed25519:1": signature}}
    assert obj == dict(obj)  # the input is not touched
    verify_json(signed, "domain", "ed25519:1", key.public)


def test_a_signature_verifies_with_signedjson():
    key = SigningKey.generate()
    device = {"user_id": "@bot:x", "device_id": "D", "algorithms": ["m.megolm.v1.aes-sha2"],
              "keys": {"ed25519:D": "abc"}, "signatures": {"@bot:x": {"ed25519:D": "devicesig"}},
              "unsigned": {"device_display_name": "ignored"}}
    signed = sign_json(device, "@bot:x", key)
    # Signing keeps the device's own signature and covers neither signatures nor unsigned.
    assert signed["signatures"]["@bot:x"]["ed25519:D"] == "devicesig"
    verify_key = signedjson.key.decode_verify_key_bytes(key.key_id, b64decode(key.public))
    signedjson.sign.verify_signed_json(signed, "@bot:x", verify_key)
    signed["unsigned"] = {"device_display_name": "changed"}
    signedjson.sign.verify_signed_json(signed, "@bot:x", verify_key)


def test_a_signedjson_signature_verifies_here():
    nacl_key = nacl.signing.SigningKey.generate()
    nacl_key.alg, nacl_key.version = "ed25519", "k"
    signed = signedjson.sign.sign_json({"usage": ["master"], "n": 1}, "@u:x", nacl_key)
    verify_json(signed, "@u:x", "ed25519:k", b64encode(bytes(nacl_key.verify_key)))
    assert SigningKey.from_seed(bytes(nacl_key)).public == b64encode(bytes(nacl_key.verify_key))


def test_tampering_or_the_wrong_key_fails_verification():
    key, other = SigningKey.generate(), SigningKey.generate()
    signed = sign_json({"usage": ["self_signing"]}, "@u:x", key)
    with pytest.raises(SignatureError, match="does not verify"):
        verify_json({**signed, "usage": ["master"]}, "@u:x", key.key_id, key.public)
    with pytest.raises(SignatureError, match="does not verify"):
        verify_json(signed, "@u:x", key.key_id, other.public)
    with pytest.raises(SignatureError, match="no readable signature"):
        verify_json(signed, "@u:x", other.key_id, other.public)


def test_keys_round_trip_through_their_seed_and_never_show_it():
    key = SigningKey.generate()
    again = SigningKey.from_seed(key.seed)
    assert again.public == key.public and again.key_id == f"ed25519:{key.public}"
    assert b64encode(key.seed) not in repr(key)
    assert len(b64decode(key.public)) == 32 and "=" not in key.public


def test_cross_signing_key_objects():
    key = SigningKey.generate()
    obj = cross_signing_key("@u:x", "master", key)
    assert obj == {"user_id": "@u:x", "usage": ["master"], "keys": {key.key_id: key.public}}
    assert ed25519_public(obj) == key.public
    assert ed25519_public({}) is None
