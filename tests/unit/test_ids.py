"""Id parsing: every form people paste, every form that must be refused."""

from __future__ import annotations

import string
import uuid

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from moodmix.reccobeats.ids import (
    MAX_BATCH_IDS,
    Kind,
    ParsedId,
    by_spotify_id,
    check_batch,
    is_reccobeats_id,
    is_spotify_id,
    parse_id,
    parse_ids,
    spotify_id_from_href,
)
from moodmix.reccobeats.models import Artist, Track

SID = "00aqkszH1FdUiJJWvX6iEl"
UUID = "8212bab8-5911-48a0-b177-24923ef2329a"
BASE62 = string.digits + string.ascii_letters

spotify_ids = st.text(alphabet=BASE62, min_size=22, max_size=22)
KINDS: list[Kind] = ["track", "artist", "album"]
kinds = st.sampled_from(KINDS)
tails = st.text(alphabet=BASE62 + "-_", min_size=1, max_size=30)


# --- the accepted forms --------------------------------------------------------------------


def test_a_bare_spotify_id_is_kept_as_is() -> None:
    assert parse_id(SID) == ParsedId(SID, "spotify", None)


def test_surrounding_whitespace_is_ignored() -> None:
    assert parse_id(f"  {SID}\n").value == SID


@pytest.mark.parametrize("kind", KINDS)
def test_a_spotify_uri_gives_the_id_and_its_kind(kind: Kind) -> None:
    assert parse_id(f"spotify:{kind}:{SID}") == ParsedId(SID, "spotify", kind)


@pytest.mark.parametrize(
    "link",
    [
        f"https://open.spotify.com/track/{SID}",
        f"https://open.spotify.com/track/{SID}?si=4f1b0c2d9e8a4b7c",
        f"https://open.spotify.com/track/{SID}/",
        f"https://open.spotify.com/intl-de/track/{SID}?si=x",
        f"https://open.spotify.com/intl-pt/track/{SID}",
        f"https://open.spotify.com/embed/track/{SID}",
        f"http://open.spotify.com/track/{SID}",
        f"https://play.spotify.com/track/{SID}",
        f"HTTPS://OPEN.SPOTIFY.COM/track/{SID}",
        f"open.spotify.com/track/{SID}?si=abc",
        f"https://open.spotify.com/track/{SID}#fragment",
    ],
)
def test_links_give_the_bare_track_id(link: str) -> None:
    assert parse_id(link) == ParsedId(SID, "spotify", "track")


def test_a_link_without_scheme_may_carry_a_url_in_its_query() -> None:
    link = f"open.spotify.com/track/{SID}?utm_source=https://example.com"
    assert parse_id(link) == ParsedId(SID, "spotify", "track")


@pytest.mark.parametrize("text", [UUID, UUID.upper(), "8212BAB8-5911-48a0-B177-24923ef2329a"])
def test_uuids_in_any_case_become_canonical_lowercase(text: str) -> None:
    assert parse_id(text) == ParsedId(UUID, "reccobeats", None)


def test_expect_labels_bare_ids_with_the_expected_kind() -> None:
    assert parse_id(SID, expect="artist").kind == "artist"
    assert parse_id(UUID, expect="album") == ParsedId(UUID, "reccobeats", "album")


def test_expect_accepts_a_uri_or_link_of_that_kind() -> None:
    assert parse_id(f"spotify:album:{SID}", expect="album").kind == "album"
    assert parse_id(f"https://open.spotify.com/artist/{SID}", expect="artist").value == SID


# --- refused -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        (f"spotify:artist:{SID}", "track"),
        (f"https://open.spotify.com/album/{SID}", "track"),
        (f"https://open.spotify.com/intl-fr/track/{SID}?si=1", "album"),
    ],
)
def test_a_uri_or_link_of_another_kind_is_refused_naming_both_kinds(
    text: str, expect: Kind
) -> None:
    with pytest.raises(ValueError, match=f"not a {expect}") as info:
        parse_id(text, expect=expect)
    assert "is a Spotify" in str(info.value)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        SID[:-1],
        SID + "A",
        SID[:-1] + "!",
        SID[:-1] + "é",
        "8212bab8-5911-48a0-b177-24923ef2329",
        "8212bab859114 8a0b17724923ef2329a",
        f"spotify:playlist:{SID}",
        f"spotify:track:{SID[:-1]}",
        f"spotify:track:{SID}:extra",
        "spotify:",
        f"https://open.spotify.com/playlist/{SID}",
        f"https://open.spotify.com/track/{SID[:-3]}",
        "https://open.spotify.com/",
        f"https://open.spotify.com.evil.example/track/{SID}",
        f"https://www.youtube.com/watch?v={SID}",
        f"https://notspotify.com/track/{SID}",
        "https://[spotify.com/track",
        "not an id at all",
    ],
)
def test_garbage_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        parse_id(text)


@pytest.mark.parametrize("value", [None, 42, b"00aqkszH1FdUiJJWvX6iEl", [SID]])
def test_a_non_string_is_a_value_error_naming_its_type(value: object) -> None:
    with pytest.raises(ValueError, match=type(value).__name__):
        parse_id(value)  # type: ignore[arg-type]


def test_long_garbage_is_shortened_in_the_message() -> None:
    with pytest.raises(ValueError, match="…") as info:
        parse_id("x" * 500)
    assert len(str(info.value)) < 250


# --- properties ----------------------------------------------------------------------------


@given(sid=spotify_ids, kind=kinds, si=tails, locale=st.sampled_from(["de", "pt", "ja", "es"]))
def test_every_form_of_a_spotify_id_round_trips(sid: str, kind: Kind, si: str, locale: str) -> None:
    forms = [
        f"spotify:{kind}:{sid}",
        f"https://open.spotify.com/{kind}/{sid}",
        f"https://open.spotify.com/{kind}/{sid}?si={si}",
        f"https://open.spotify.com/intl-{locale}/{kind}/{sid}?si={si}",
        f"open.spotify.com/{kind}/{sid}",
    ]
    assert parse_id(sid) == ParsedId(sid, "spotify", None)
    assert parse_id(sid, expect=kind).kind == kind
    for form in forms:
        assert parse_id(form) == ParsedId(sid, "spotify", kind), form
        assert parse_id(form, expect=kind).value == sid
    assert spotify_id_from_href(forms[1]) == sid


@given(value=st.uuids())
def test_every_uuid_parses_to_its_canonical_form(value: uuid.UUID) -> None:
    for text in (str(value), str(value).upper()):
        assert parse_id(text) == ParsedId(str(value), "reccobeats", None)
        assert is_reccobeats_id(text)


_FRAGMENTS = st.sampled_from(
    ["spotify:", "track", "artist", ":", "/", "open.spotify.com", "https://", "intl-", "?si=",
     "[", "]", "%", "@", "#", " ", "\x00", "é", SID, UUID, "embed"]
)  # fmt: skip


@given(text=st.text() | st.lists(_FRAGMENTS | st.text(max_size=3)).map("".join))
@example(text="https://open.spotify.com:99999/track/" + SID)
@example(text="open.spotify.com/[")
def test_arbitrary_text_only_ever_raises_value_error(text: str) -> None:
    try:
        parsed = parse_id(text)
    except ValueError:
        return
    assert is_spotify_id(parsed.value) or is_reccobeats_id(parsed.value)


@given(text=st.text())
def test_spotify_id_from_href_never_raises(text: str) -> None:
    result = spotify_id_from_href(text)
    assert result is None or is_spotify_id(result)


# --- batches -------------------------------------------------------------------------------


def test_parse_ids_names_the_position_of_the_first_bad_id() -> None:
    with pytest.raises(ValueError, match="id #3"):
        parse_ids([SID, UUID, "nope", "also nope"])


def test_check_batch_reduces_every_form_to_the_bare_id() -> None:
    ids = [SID, f"spotify:track:{SID}", f"https://open.spotify.com/track/{SID}", UUID.upper()]
    assert check_batch(ids) == [SID, SID, SID, UUID]


def test_check_batch_accepts_exactly_the_limit() -> None:
    assert len(check_batch([SID] * MAX_BATCH_IDS)) == MAX_BATCH_IDS == 40


@pytest.mark.parametrize(
    ("ids", "match"),
    [
        ([], "must not be empty"),
        ([SID] * 41, "at most 40"),
        (SID, "not one string"),
        ([SID, "bad"], "id #2"),
    ],
)
def test_check_batch_refuses_bad_batches_naming_the_argument(ids: list[str], match: str) -> None:
    with pytest.raises(ValueError, match=match) as info:
        check_batch(ids, name="seeds")
    assert str(info.value).startswith("seeds")


def test_check_batch_honours_a_smaller_limit() -> None:
    with pytest.raises(ValueError, match="at most 5"):
        check_batch([SID] * 6, limit=5)


# --- mapping responses back ----------------------------------------------------------------


def test_by_spotify_id_maps_items_through_their_href() -> None:
    other = "1Xyo4u8uXC1ZmMpatF05PJ"
    tracks = [
        Track(id=UUID, track_title="A", href=f"https://open.spotify.com/track/{SID}"),
        Track(id="x", track_title="B", href=f"https://open.spotify.com/track/{other}"),
        Track(id="y", track_title="C"),
        Track(id="z", track_title="D", href="https://example.com/elsewhere"),
    ]
    mapped = by_spotify_id(tracks)
    assert set(mapped) == {SID, other}
    assert mapped[SID].track_title == "A"
    assert mapped[other].id == "x"


def test_by_spotify_id_works_for_any_linked_item() -> None:
    artist = Artist(id="a", name="N", href=f"https://open.spotify.com/artist/{SID}")
    assert by_spotify_id([artist]) == {SID: artist}


def test_spotify_id_from_href_is_none_without_a_spotify_link() -> None:
    assert spotify_id_from_href("https://example.com/track/" + SID) is None
    assert spotify_id_from_href("") is None
    assert spotify_id_from_href(f"https://open.spotify.com/intl-it/album/{SID}") == SID
