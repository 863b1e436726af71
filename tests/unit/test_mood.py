"""The mood analyser: valid profiles for any text, and the reading rules behind them."""

from __future__ import annotations

import json

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from moodmix.cli.mood import mood
from moodmix.data import ARTISTS
from moodmix.engine.mood import BASE_WEIGHT, MAX_CHARS, analyse, neutral, read
from moodmix.engine.profile import FEATURES, SCALES, MoodProfile
from moodmix.engine.vocabulary import genre_family, lexicon, phrase_key, tokenise
from moodmix.engine.vocabulary.tables import EMOJI, FAMILIES, FOREIGN, TYPICAL_SOUND

_SAMPLES = (
    "rainy Sunday, mellow acoustic, nothing sad",
    "calm study music, no lyrics",
    "pre-game hype, loud",
    "sad but hopeful",
    "170 bpm running 🔥",
    "Daft Punk vibes, no remixes, live versions",
    "not too sad, a bit upbeat",
    "",
    "asdkjh qwe",
)
_WORDS = sorted(" ".join(key) for key in lexicon().phrases)[::7]
_PIECES = st.sampled_from(
    [*_WORDS, ",", ".", "!", "but", "not", "no", "very", "a bit", "like", "Adele", "Bon Iver",
     "Queen", "120", "bpm", "80s", "1994", "😢", "☔️", "💪🏽", "\x00", "\u200b", "ß", "İ"]
)  # fmt: skip


def assert_valid(profile: MoodProfile) -> None:
    """Every feature has a target inside its range, inside its scale, and a weight in 0..1."""
    assert set(profile.targets) == set(profile.ranges) == set(profile.weights) == set(FEATURES)
    for name in FEATURES:
        low_scale, high_scale = SCALES[name]
        low, high = profile.ranges[name]
        assert low_scale <= low <= profile.targets[name] <= high <= high_scale, name
        assert 0.0 <= profile.weights[name] <= 1.0, name
    assert profile.explanation.endswith(".")
    assert "\n" not in profile.explanation
    json.loads(json.dumps(profile.to_json()))


def unit(profile: MoodProfile, name: str) -> float:
    low, high = SCALES[name]
    return (profile.targets[name] - low) / (high - low)


@pytest.mark.parametrize("text", _SAMPLES)
def test_samples_give_valid_profiles(text: str) -> None:
    assert_valid(analyse(text))


@pytest.mark.parametrize(
    "text", ["", "   ", "asdkjh qwe zxcv", "?!?!", "\x00\x07\x1b", "1234 5678"]
)
def test_what_is_not_understood_gives_the_neutral_profile(text: str) -> None:
    profile = analyse(text)
    assert not profile.understood
    assert "neutral" in profile.explanation
    assert "No mood" in profile.explanation
    assert profile.weights == dict.fromkeys(FEATURES, BASE_WEIGHT)
    assert profile.ranges == {name: SCALES[name] for name in FEATURES}
    assert profile.targets == neutral(text).targets


def test_weights_are_high_for_what_the_text_speaks_about() -> None:
    profile = analyse("very calm instrumental")
    assert profile.weights["energy"] >= 0.7
    assert profile.weights["instrumentalness"] >= 0.7
    assert profile.weights["liveness"] == BASE_WEIGHT
    assert profile.weights["speechiness"] < 0.7


def test_what_the_text_leaves_unsaid_sounds_like_the_genres_it_names() -> None:
    ambient = analyse("meditation, ambient, instrumental")
    assert ambient.weights["valence"] == BASE_WEIGHT
    assert ambient.targets["valence"] == TYPICAL_SOUND["ambient"]["valence"]
    assert ambient.ranges["valence"] == SCALES["valence"]
    both = analyse("jazz and reggae")  # neither says anything of speechiness
    typical = (TYPICAL_SOUND["jazz"]["speechiness"] + TYPICAL_SOUND["reggae"]["speechiness"]) / 2
    assert both.targets["speechiness"] == pytest.approx(typical, abs=1e-3)
    assert analyse("like Adele").targets["loudness"] == TYPICAL_SOUND["pop"]["loudness"]


def test_without_a_genre_what_is_unsaid_stays_neutral() -> None:
    for text in ("happy", "no jazz, happy"):
        profile = analyse(text)
        assert profile.weights["tempo"] == BASE_WEIGHT
        assert profile.targets["tempo"] == neutral().targets["tempo"]


def test_ranges_narrow_with_weight() -> None:
    strong, weak = (analyse(text).ranges["energy"] for text in ("very calm", "a bit calm"))
    assert strong[1] - strong[0] < weak[1] - weak[0]


def test_analysis_is_deterministic() -> None:
    for text in _SAMPLES:
        assert analyse(text) == analyse(text)
        assert analyse(text).explanation == analyse(text).explanation


def test_to_json_round_trips_through_json() -> None:
    data = analyse("rainy Sunday, mellow acoustic, nothing sad").to_json()
    again = json.loads(json.dumps(data))
    assert again == json.loads(json.dumps(again))
    for key in ("targets", "ranges", "weights", "recognised", "explanation"):
        assert key in again
    assert again["recognised"]["negations"] == ["sad"]
    assert again["ranges"]["tempo"][0] <= again["targets"]["tempo"] <= again["ranges"]["tempo"][1]


def test_explanation_says_what_was_asked_for_and_avoided() -> None:
    explanation = analyse("rainy Sunday, mellow acoustic, nothing sad").explanation
    assert explanation.startswith("Mellow and acoustic for a rainy Sunday, steering clear of sad:")
    assert "acousticness" in explanation


def test_recognised_fields() -> None:
    profile = analyse("Late night drive, 80s synthwave, around 120 bpm, no vocals, live recordings")
    recognised = profile.recognised
    assert recognised.activities == ("driving",)
    assert recognised.settings == ("night",)
    assert recognised.genres == ("synthwave",)
    assert recognised.eras == ("1980s",)
    assert recognised.tempo_bpm == 120.0
    assert recognised.vocals == "instrumental"
    assert recognised.live is True
    assert recognised.negations == ("vocal",)


def test_years_name_their_decade() -> None:
    assert analyse("hits from 1994").recognised.eras == ("1990s",)


# negation, hedging, intensity, contrast


def test_negated_mood_raises_a_floor_instead_of_asking_for_the_opposite() -> None:
    sad = analyse("sad")
    not_sad = analyse("nothing sad")
    assert not_sad.ranges["valence"][0] >= 0.3
    assert unit(not_sad, "valence") < unit(analyse("happy"), "valence")
    assert unit(sad, "valence") < 0.3 < unit(not_sad, "valence")
    assert not_sad.recognised.moods == ()
    assert not_sad.recognised.negations == ("sad",)


def test_not_too_only_softens() -> None:
    strict = analyse("not sad")
    soft = analyse("not too sad")
    assert soft.ranges["valence"][0] <= strict.ranges["valence"][0]
    assert unit(soft, "valence") <= unit(strict, "valence")


def test_negation_ends_with_the_clause() -> None:
    profile = analyse("no rap, upbeat")
    assert profile.recognised.moods == ("upbeat",)
    assert profile.recognised.negations == ("rap",)
    assert unit(analyse("nothing sad, upbeat"), "valence") > 0.6


def test_either_or_choices_flip_when_negated() -> None:
    assert analyse("no lyrics").recognised.vocals == "instrumental"
    assert analyse("no instrumentals").recognised.vocals == "vocal"
    assert analyse("not live").recognised.live is False
    assert unit(analyse("nothing loud"), "loudness") < unit(analyse("loud"), "loudness")


def test_post_negation_and_post_hedge() -> None:
    assert analyse("lyric-free").recognised.vocals == "instrumental"
    hedged = analyse("upbeat-ish")
    assert 0.5 < unit(hedged, "valence") < unit(analyse("upbeat"), "valence")


def test_hedges_soften_and_intensifiers_strengthen() -> None:
    values = [unit(analyse(text), "valence") for text in ("a bit sad", "sad", "very sad")]
    assert values[0] > values[1] > values[2]
    weights = [analyse(text).weights["valence"] for text in ("slightly sad", "sad", "super sad")]
    assert weights[0] < weights[1] < weights[2]


# intensity and comparison: graded the same way in a refinement (tests/unit/test_refine.py)


def test_a_mild_word_is_milder_than_a_strong_one() -> None:
    blue, heartbroken = analyse("a bit blue"), analyse("heartbroken")
    assert unit(blue, "valence") > unit(heartbroken, "valence")
    assert blue.weights["valence"] <= heartbroken.weights["valence"]
    assert unit(blue, "valence") < 0.5
    assert blue.recognised.moods == ("blue",)


def test_a_comparison_lands_between_its_references() -> None:
    cafe, club = analyse("café"), analyse("club")
    between = analyse("busier than a café, calmer than a club")
    assert unit(cafe, "energy") < unit(between, "energy") < unit(club, "energy")
    low, high = between.ranges["energy"]
    assert cafe.targets["energy"] <= low
    assert high <= club.targets["energy"]
    assert between.recognised.settings == ()  # points of comparison, not settings asked for
    assert between.explanation.startswith("Busier than a coffee shop and calmer than the club")
    assert set(between.recognised.moods) == {"busy", "calm"}


def test_a_comparison_graded_by_its_modifiers() -> None:
    cafe = analyse("café")
    energies = [
        unit(analyse(f"{how} busier than a café"), "energy") for how in ("a bit", "", "much")
    ]
    assert unit(cafe, "energy") < energies[0] < energies[1] < energies[2]


def test_effort_grades_activities() -> None:
    yoga, pilates = analyse("yoga"), analyse("pilates")
    assert unit(yoga, "energy") < unit(pilates, "energy")
    assert yoga.targets["tempo"] < pilates.targets["tempo"]
    assert unit(analyse("meditation"), "energy") <= unit(yoga, "energy")
    assert unit(pilates, "energy") < unit(analyse("workout"), "energy")


def test_comparatives_read_as_their_word_and_are_graded() -> None:
    tempi = [
        analyse(text).targets["tempo"]
        for text in ("a touch quicker than last time", "quicker", "much faster")
    ]
    assert 118 < tempi[0] < tempi[1] < tempi[2]
    assert analyse("slower").targets["tempo"] < 100
    assert analyse("calmer").recognised.moods == ("calm",)
    assert analyse("more than 120 bpm").targets["tempo"] > 120


def test_every_comparative_compares_a_known_word() -> None:
    lex = lexicon()
    for word in lex.comparatives:
        match = lex.entry_at(word, 0)
        assert match is not None, word
        assert match.comparative, word
    assert [hit.relative for hit in read("more upbeat, less vocals, slower").hits] == [1, -1, 1]


def test_the_clause_after_but_weighs_more() -> None:
    sad_then_hopeful = unit(analyse("sad but hopeful"), "valence")
    hopeful_then_sad = unit(analyse("hopeful but sad"), "valence")
    assert hopeful_then_sad < sad_then_hopeful
    assert 0.3 < sad_then_hopeful < 0.6


def test_inflections_and_case_are_understood() -> None:
    assert analyse("SADDEST").recognised.moods == ("sad",)
    assert analyse("Relaxes").recognised.moods == ("relaxed",)


# tempo


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("170 bpm", 160.0, 180.0),
        ("170bpm", 160.0, 180.0),
        ("bpm 95", 85.0, 105.0),
        ("120-130 bpm", 120.0, 130.0),
        ("120 to 130 BPM", 120.0, 130.0),
        ("under 100 bpm", 40.0, 100.0),
        ("over 150 bpm", 150.0, 220.0),
        ("at least 140 beats per minute", 140.0, 220.0),
        ("999 bpm", 210.0, 220.0),
    ],
)
def test_explicit_tempo(text: str, low: float, high: float) -> None:
    profile = analyse(text)
    tempo_low, tempo_high = profile.ranges["tempo"]
    assert low <= tempo_low <= profile.targets["tempo"] <= tempo_high <= high
    assert profile.weights["tempo"] >= 0.9


def test_huge_numbers_are_ignored() -> None:
    assert_valid(analyse("9" * 5000 + " bpm"))


# artists


@pytest.mark.parametrize(
    ("text", "artists"),
    [
        ("something like Bon Iver", ("Bon Iver",)),
        ("like adele", ("Adele",)),
        ("Daft Punk vibes", ("Daft Punk",)),
        ("sigur ros for the night", ("Sigur Rós",)),
        ("like rosalia", ("Rosalía",)),
        ("BEYONCE", ("Beyoncé",)),
        ("like Adele, Sam Smith or Lewis Capaldi", ("Adele", "Sam Smith", "Lewis Capaldi")),
        ("similar to Phoebe Waller-Bridge", ("Phoebe Waller-Bridge",)),
        ("in the style of The Velvet Underground", ("The Velvet Underground",)),
        ("like Cigarettes After Sex and Men I Trust", ("Cigarettes After Sex", "Men I Trust")),
        ("queen of the night", ()),
        ("Queen vibes", ("Queen",)),
        ("something like queen", ("Queen",)),
        ("chill beach house party", ()),
        ("music like Beach House", ("Beach House",)),
        ("I'd like something calm", ()),
        ("like Sunday mornings", ()),
        ("SOMETHING LIKE NOBODY KNOWS", ()),
    ],
)
def test_artists(text: str, artists: tuple[str, ...]) -> None:
    assert analyse(text).recognised.artists == artists


@pytest.mark.parametrize(
    ("text", "avoided"),
    [
        ("no Adele", ("Adele",)),
        ("no Adele or Coldplay, upbeat", ("Adele", "Coldplay")),
        ("without Foo Fighters", ("Foo Fighters",)),
        ("No K-pop", ()),
        ("Nothing Sad", ()),
    ],
)
def test_artists_ruled_out(text: str, avoided: tuple[str, ...]) -> None:
    profile = analyse(text)
    assert profile.recognised.artists == ()
    assert tuple(n for n in profile.recognised.negations if n in avoided) == avoided
    assert read(text).avoided_artists == list(avoided)


def test_a_known_artist_alone_is_understood() -> None:
    profile = analyse("Metallica")
    assert profile.understood
    assert unit(profile, "energy") > 0.6
    assert profile.recognised.genres == ()


# versions


def test_versions() -> None:
    assert "remix" in analyse("no remixes").unwanted_versions
    live = analyse("live versions please")
    assert live.recognised.live is True
    assert "live" not in live.unwanted_versions
    studio = analyse("studio recordings only")
    assert studio.recognised.live is False
    assert "live" in studio.unwanted_versions
    assert analyse("happy").unwanted_versions == ("karaoke",)
    assert "acoustic" in analyse("no acoustic versions").unwanted_versions


# robustness


def test_emoji_with_variation_selectors_and_skin_tones() -> None:
    assert analyse("☔️").recognised.settings == ("rain",)
    assert analyse("💪🏽").recognised.activities == ("workout",)
    assert analyse("not 😢").recognised.negations == ("sad",)


def test_long_text_is_cut() -> None:
    profile = analyse("sad " * 30_000)
    assert len(profile.text) == MAX_CHARS
    assert_valid(profile)
    assert len(tokenise("word " * 30_000)) <= 2_000


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_any_text_gives_a_valid_profile(text: str) -> None:
    assert_valid(analyse(text))


@settings(max_examples=150, deadline=None)
@given(st.lists(_PIECES, max_size=40).map(" ".join))
def test_any_mix_of_known_words_gives_a_valid_profile(text: str) -> None:
    profile = analyse(text)
    assert_valid(profile)
    assert profile == analyse(text)


@settings(max_examples=10, deadline=None)
@given(st.text(min_size=1, max_size=50), st.sampled_from(["", "calm ", "like Adele "]))
def test_100_kb_prompts_give_a_valid_profile(chunk: str, prefix: str) -> None:
    text = prefix + chunk * (100_000 // len(chunk) + 1)
    assert len(text) >= 100_000
    assert_valid(analyse(text))


# the command


def _run(*args: str) -> str:
    app = typer.Typer()
    app.command()(mood)
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_command_prints_the_profile_as_json() -> None:
    text = "rainy Sunday, mellow acoustic, nothing sad"
    assert json.loads(_run(text, "--json")) == json.loads(json.dumps(analyse(text).to_json()))


def test_command_prints_a_table_and_survives_markup() -> None:
    output = _run("calm [bold] study [/] music")
    assert "instrumentalness" in output
    assert "Calm" in output


# the vocabulary


def test_every_emoji_and_foreign_word_means_something() -> None:
    lex = lexicon()
    for word in (*EMOJI.values(), *FOREIGN.values()):
        assert lex.entry_at(phrase_key(word), 0) is not None, word


def test_genre_families_are_catalog_genres() -> None:
    catalog = set(ARTISTS)
    assert genre_family("synthwave") == "electronic"
    assert genre_family("jazz") == "jazz"
    assert {genre_family(label) for label in FAMILIES} <= catalog
