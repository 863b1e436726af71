"""Refining a profile: a change read relative to the current one, graded as a prompt is."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from moodmix.bench.playlists.plan import PROMPTS
from moodmix.engine.mood import analyse, refine_profile
from moodmix.engine.mood.refine import MOVED, Refinement
from moodmix.engine.profile import FEATURES, SCALES, MoodProfile

CURRENT = analyse("rainy Sunday, mellow acoustic")

_PUBLIC = tuple(
    dict.fromkeys(
        [
            *PROMPTS,
            *(
                case["prompt"]
                for case in yaml.safe_load(
                    Path(__file__).with_name("mood_prompts.yaml").read_text(encoding="utf-8")
                )
            ),
        ]
    )
)
"""The public prompts: the playlists bench's and the mood analyser's."""

_CHANGES = (
    "more upbeat",
    "less vocals",
    "slower",
    "a touch quicker than last time",
    "much faster, darker",
    "melancholic",
    "without vocals, no Adele",
    "busier than a café, calmer than a club",
    "nothing sad, make it an hour",
    "not so loud but more like track 3 and 5",
    "140 bpm",
    "no remixes",
)


def unit(profile: MoodProfile, name: str) -> float:
    low, high = SCALES[name]
    return (profile.targets[name] - low) / (high - low)


def moved_by(change: Refinement, before: MoodProfile, name: str) -> float:
    return unit(change.profile, name) - unit(before, name)


# the public prompts: deterministic, so every one of them, not a share


@pytest.mark.parametrize("prompt", _PUBLIC)
def test_on_every_public_prompt_the_three_refinements_move_the_way_they_say(prompt: str) -> None:
    current = analyse(prompt)
    upbeat = refine_profile(current, "more upbeat")
    assert moved_by(upbeat, current, "energy") > 0
    assert moved_by(upbeat, current, "valence") > 0
    fewer_vocals = refine_profile(current, "less vocals")
    assert moved_by(fewer_vocals, current, "instrumentalness") > 0
    assert moved_by(fewer_vocals, current, "speechiness") < 0
    slower = refine_profile(current, "slower")
    assert moved_by(slower, current, "tempo") < 0


def test_the_public_prompts_are_the_benches_and_the_analysers() -> None:
    assert len(_PUBLIC) >= 100
    assert PROMPTS[0] in _PUBLIC


@pytest.mark.parametrize(
    ("text", "feature", "direction"),
    [
        ("more upbeat", "energy", 1),
        ("more upbeat", "valence", 1),
        ("less vocals", "instrumentalness", 1),
        ("fewer vocals", "instrumentalness", 1),
        ("more instrumental", "instrumentalness", 1),
        ("less vocals", "speechiness", -1),
        ("slower", "tempo", -1),
        ("quicker", "tempo", 1),
        ("calmer", "energy", -1),
        ("busier", "energy", 1),
        ("darker", "valence", -1),
        ("brighter", "valence", 1),
        ("louder", "loudness", 1),
        ("softer", "loudness", -1),
        ("happier", "valence", 1),
        ("sadder", "valence", -1),
        ("not so acoustic", "acousticness", -1),
        ("less acoustic", "acousticness", -1),
        ("no vocals", "instrumentalness", 1),
        ("without vocals", "instrumentalness", 1),
        ("less intense", "energy", -1),
        ("not as loud", "loudness", -1),
        ("way more energetic", "energy", 1),
        ("a little less sad", "valence", 1),
        ("slow it down", "tempo", -1),
        ("pick up the pace", "tempo", 1),
        ("tone it down", "energy", -1),
        ("liven it up", "valence", 1),
        ("more jazz", "instrumentalness", 1),
        ("less rap", "speechiness", -1),
    ],
)
def test_a_refinement_moves_its_feature_the_way_it_says(
    text: str, feature: str, direction: int
) -> None:
    change = refine_profile(CURRENT, text)
    assert moved_by(change, CURRENT, feature) * direction > 0
    assert f"{feature} {'up' if direction > 0 else 'down'}" in change.moved
    assert change.understood


def test_less_vocals_is_a_step_toward_instrumental_not_a_wish_for_vocals() -> None:
    change = refine_profile(CURRENT, "less vocals")
    assert change.profile.recognised.vocals != "vocal"
    assert "vocal" not in change.profile.recognised.negations  # turned down, not ruled out
    ruled_out = refine_profile(CURRENT, "without vocals")
    assert ruled_out.profile.recognised.vocals == "instrumental"
    assert unit(ruled_out.profile, "instrumentalness") > unit(change.profile, "instrumentalness")


# relative to the current profile


def test_a_step_starts_from_the_current_target_so_it_moves_every_profile() -> None:
    for prompt in ("workout, high energy hip hop", "calm piano for sleep"):
        current = analyse(prompt)
        once = refine_profile(current, "slower")
        twice = refine_profile(once.profile, "slower")
        assert current.targets["tempo"] > once.profile.targets["tempo"]
        assert once.profile.targets["tempo"] > twice.profile.targets["tempo"]


def test_steps_are_graded_like_a_prompt() -> None:
    sizes = [
        moved_by(refine_profile(CURRENT, text), CURRENT, "tempo")
        for text in ("a touch quicker than last time", "quicker", "much faster")
    ]
    assert 0 < sizes[0] < sizes[1] < sizes[2]
    more = moved_by(refine_profile(CURRENT, "more upbeat"), CURRENT, "energy")
    much_more = moved_by(refine_profile(CURRENT, "much more upbeat"), CURRENT, "energy")
    a_bit_more = moved_by(refine_profile(CURRENT, "a bit more upbeat"), CURRENT, "energy")
    assert 0 < a_bit_more < more < much_more


def test_what_the_text_does_not_reach_stays() -> None:
    change = refine_profile(CURRENT, "slower")
    for name in ("valence", "acousticness", "instrumentalness", "mode"):
        assert change.profile.targets[name] == CURRENT.targets[name]
        assert change.profile.ranges[name] == CURRENT.ranges[name]
        assert change.profile.weights[name] == CURRENT.weights[name]


def test_a_mood_word_moves_toward_it_and_keeps_what_already_fits() -> None:
    change = refine_profile(CURRENT, "melancholic")
    melancholic = analyse("melancholic")
    assert unit(melancholic, "valence") < unit(change.profile, "valence") < unit(CURRENT, "valence")
    assert change.profile.targets["acousticness"] == CURRENT.targets["acousticness"]
    assert change.moved == ("valence down",)
    assert set(change.profile.recognised.moods) >= {"melancholic", "mellow"}


def test_the_features_the_text_names_weigh_more() -> None:
    change = refine_profile(CURRENT, "more upbeat, less vocals")
    for name in ("energy", "valence", "instrumentalness"):
        assert change.profile.weights[name] > CURRENT.weights[name]


@pytest.mark.parametrize("prompt", ["rainy Sunday, mellow acoustic", "party dance music"])
@pytest.mark.parametrize("text", _CHANGES)
def test_every_target_stays_inside_its_range(prompt: str, text: str) -> None:
    current = analyse(prompt)
    profile = refine_profile(current, text).profile
    for name in FEATURES:
        low, high = profile.ranges[name]
        assert SCALES[name][0] <= low <= profile.targets[name] <= high <= SCALES[name][1], name
        assert 0.0 <= profile.weights[name] <= 1.0
    assert profile.explanation.endswith(".")
    assert profile.text == f"{current.text}; {text}"


@pytest.mark.parametrize("text", _CHANGES)
def test_moved_lists_the_real_moves_and_only_them(text: str) -> None:
    change = refine_profile(CURRENT, text)
    expected = []
    for name in FEATURES:
        shift = moved_by(change, CURRENT, name)
        if abs(shift) >= MOVED:
            expected.append(f"{name} {'up' if shift > 0 else 'down'}")
        else:
            assert change.profile.targets[name] == CURRENT.targets[name], name
    assert change.moved == tuple(expected)


def test_a_comparison_keeps_a_target_already_past_its_reference() -> None:
    cafe, club = analyse("café"), analyse("club")
    calm = analyse("calm piano for sleep")
    busier = refine_profile(calm, "busier than a café")
    assert unit(busier.profile, "energy") > unit(cafe, "energy") > unit(calm, "energy")
    assert busier.profile.ranges["energy"][0] >= cafe.targets["energy"]
    party = analyse("party dance music, very energetic")
    calmer = refine_profile(party, "calmer than a club")
    assert unit(calmer.profile, "energy") < unit(club, "energy") < unit(party, "energy")
    kept = refine_profile(party, "busier than a café")
    assert kept.profile.targets["energy"] == party.targets["energy"]


def test_a_negated_mood_bounds_the_range_and_leaves_the_mood_lists() -> None:
    sad = analyse("sad songs")
    change = refine_profile(sad, "nothing sad")
    assert unit(change.profile, "valence") > unit(sad, "valence")
    assert change.profile.ranges["valence"][0] >= 0.3
    assert "sad" not in change.profile.recognised.moods
    assert "sad" in change.profile.recognised.negations


def test_an_explicit_tempo_replaces_the_tempo() -> None:
    change = refine_profile(CURRENT, "make it 140 bpm")
    assert change.profile.targets["tempo"] == 140.0
    assert change.profile.recognised.tempo_bpm == 140.0
    assert change.moved == ("tempo up",)


# what rides beside the profile


@pytest.mark.parametrize(
    ("text", "artists"),
    [
        ("no Adele", ("Adele",)),
        ("without Coldplay", ("Coldplay",)),
        ("no more Drake", ("Drake",)),
        ("without Foo Fighters please", ("Foo Fighters",)),
        ("more upbeat, no Adele or Coldplay", ("Adele", "Coldplay")),
        ("like Adele", ()),
    ],
)
def test_artists_ruled_out(text: str, artists: tuple[str, ...]) -> None:
    change = refine_profile(CURRENT, text)
    assert change.exclude_artists == artists
    assert set(artists) <= set(change.profile.recognised.negations)


@pytest.mark.parametrize(
    ("text", "tracks"),
    [
        ("like track 3", (3,)),
        ("more like track 3 and 5", (3, 5)),
        ("something like the second song, slower", (2,)),
        ("skip track 3", ()),
    ],
)
def test_tracks_to_sound_like(text: str, tracks: tuple[int, ...]) -> None:
    assert refine_profile(CURRENT, text).like_tracks == tracks


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("make it an hour", 3600.0),
        ("45 minutes", 2700.0),
        ("1h30", 5400.0),
        ("an hour and a half, more upbeat", 5400.0),
        ("half an hour", 1800.0),
        ("happy hour vibes", None),
        ("120 bpm", None),
    ],
)
def test_a_length(text: str, seconds: float | None) -> None:
    assert refine_profile(CURRENT, text).duration_s == seconds


def test_a_length_alone_is_understood_and_moves_nothing() -> None:
    change = refine_profile(CURRENT, "make it an hour")
    assert change.understood
    assert change.moved == ()
    assert change.profile.targets == CURRENT.targets


def test_ruled_out_versions_add_up() -> None:
    change = refine_profile(analyse("no live versions"), "no remixes")
    assert {"live", "remix"} <= set(change.profile.unwanted_versions)


@pytest.mark.parametrize("text", ["qwzx blorp", "", "   ", "than"])
def test_text_with_nothing_to_read_changes_nothing(text: str) -> None:
    change = refine_profile(CURRENT, text)
    assert not change.understood
    assert change.profile == CURRENT
    assert change.moved == ()
    assert change.duration_s is None
    assert change.like_tracks == change.exclude_artists == ()


_PIECES = st.sampled_from(
    [*_CHANGES, ",", ".", "but", "not", "no", "more", "less", "than", "a bit", "much", "like",
     "track", "3", "an hour", "bpm", "120", "Adele", "busier", "a café", "😢", "\x00", "İ"]
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(_PIECES, max_size=12).map(" ".join) | st.text(max_size=200))
def test_any_text_refines_any_profile_into_a_valid_one(text: str) -> None:
    change = refine_profile(CURRENT, text)
    profile = change.profile
    for name in FEATURES:
        low, high = profile.ranges[name]
        assert SCALES[name][0] <= low <= profile.targets[name] <= high <= SCALES[name][1], name
        assert 0.0 <= profile.weights[name] <= 1.0
    assert "\n" not in profile.explanation
    assert change.understood or profile == CURRENT
    assert all(n >= 1 for n in change.like_tracks)
    assert change.duration_s is None or change.duration_s > 0
