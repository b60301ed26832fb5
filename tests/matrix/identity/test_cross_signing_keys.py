"""The encrypted cross-signing key file: mode 600, reused, and loud when unusable."""

from __future__ import annotations

import json
import stat

import pytest

from bot.matrix.identity.cross_signing_keys import CrossSigningKeys, KeyFile, KeyFileError
from bot.matrix.identity.signing import b64encode


def test_keys_survive_a_round_trip_in_a_private_encrypted_file(tmp_path):
    keys = CrossSigningKeys.generate()
    KeyFile(tmp_path, "@bot:x", "pickle").save(keys)
    path = tmp_path / "cross_signing.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    for key in (keys.master, keys.self_signing, keys.user_signing):
        assert b64encode(key.seed) not in text
    assert json.loads(text)["master_key"] == keys.master.public

    loaded = KeyFile(tmp_path, "@bot:x", "pickle").load()
    assert loaded is not None
    assert [k.seed for k in (loaded.master, loaded.self_signing, loaded.user_signing)] == \
        [k.seed for k in (keys.master, keys.self_signing, keys.user_signing)]


def test_no_file_means_no_keys(tmp_path):
    assert KeyFile(tmp_path, "@bot:x", "pickle").load() is None


def test_a_wrong_pickle_key_is_a_clear_error(tmp_path):
    KeyFile(tmp_path, "@bot:x", "pickle").save(CrossSigningKeys.generate())
    with pytest.raises(KeyFileError, match="cannot be decrypted: matrix.pickle_key") as info:
        KeyFile(tmp_path, "@bot:x", "another").load()
    assert "reset_foreign_cross_signing" in str(info.value)


@pytest.mark.parametrize("field, value", [("ciphertext", "AAAA"), ("nonce", "!!"), ("format", 9)])
def test_a_tampered_file_is_a_clear_error(tmp_path, field, value):
    KeyFile(tmp_path, "@bot:x", "pickle").save(CrossSigningKeys.generate())
    path = tmp_path / "cross_signing.json"
    data = json.loads(path.read_text())
    data[field] = value
    path.write_text(json.dumps(data))
    with pytest.raises(KeyFileError, match=str(path)):
        KeyFile(tmp_path, "@bot:x", "pickle").load()


def test_a_flipped_byte_of_the_ciphertext_is_caught(tmp_path):
    KeyFile(tmp_path, "@bot:x", "pickle").save(CrossSigningKeys.generate())
    path = tmp_path / "cross_signing.json"
    data = json.loads(path.read_text())
    text = data["ciphertext"]
    data["ciphertext"] = ("B" if text[5] != "B" else "C").join([text[:5], text[6:]])
    path.write_text(json.dumps(data))
    with pytest.raises(KeyFileError, match="cannot be decrypted"):
        KeyFile(tmp_path, "@bot:x", "pickle").load()


def test_a_file_of_another_account_is_refused(tmp_path):
    KeyFile(tmp_path, "@bot:x", "pickle").save(CrossSigningKeys.generate())
    with pytest.raises(KeyFileError, match="holds the keys of @bot:x, not @other:x"):
        KeyFile(tmp_path, "@other:x", "pickle").load()
    path = tmp_path / "cross_signing.json"
    data = json.loads(path.read_text())
    data["user_id"] = "@other:x"  # the user id is bound into the encryption too
    path.write_text(json.dumps(data))
    with pytest.raises(KeyFileError, match="cannot be decrypted"):
        KeyFile(tmp_path, "@other:x", "pickle").load()


def test_garbage_is_a_clear_error(tmp_path):
    (tmp_path / "cross_signing.json").write_text("not json")
    with pytest.raises(KeyFileError, match="unreadable"):
        KeyFile(tmp_path, "@bot:x", "pickle").load()
