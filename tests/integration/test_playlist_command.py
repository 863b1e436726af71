"""``moodmix playlist`` end to end, offline: the simulator in-process, the table and the JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from moodmix.cli.playlist import playlist


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner with a rate the embedded simulator allows without a 429."""
    monkeypatch.setenv("MOODMIX_RATE_PER_MIN", "480")
    monkeypatch.setenv("MOODMIX_BURST", "5")
    return CliRunner()


def app() -> typer.Typer:
    cli = typer.Typer()
    cli.command()(playlist)
    return cli


def test_json_output_has_the_documented_fields(run: CliRunner) -> None:
    result = run.invoke(
        app(), ["rainy Sunday, mellow acoustic", "--offline", "--size", "10", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"tracks", "profile", "seeds", "quality", "upstream_requests"} <= set(data)
    assert len(data["tracks"]) == 10
    for track in data["tracks"]:
        assert {"id", "spotify_id", "title", "artists", "features", "score", "reason"} <= set(track)
    assert data["profile"]["text"] == "rainy Sunday, mellow acoustic"
    assert "rain" in data["profile"]["recognised"]["settings"]
    assert 0 < data["upstream_requests"] <= 15
    assert "✓" in result.stderr


def test_the_table_shows_tracks_features_and_figures(run: CliRunner) -> None:
    result = run.invoke(
        app(), ["rainy Sunday", "--offline", "--duration", "20m", "--order", "smooth"]
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "moodmix: rainy Sunday" in out
    assert "energy" in out
    assert "BPM" in out
    assert "upstream requests" in out
    assert "Mood: " in out


def test_exclusions_leave_out_what_they_name_and_the_name_heads_the_table(
    run: CliRunner,
) -> None:
    first = run.invoke(app(), ["sad but hopeful indie", "--offline", "--size", "8", "--json"])
    assert first.exit_code == 0, first.output
    data = json.loads(first.stdout)
    artist = data["tracks"][0]["artists"][0]
    args = ["sad but hopeful indie", "--offline", "--size", "8", "--exclude-artist", artist]
    args += ["--exclude-track", data["tracks"][1]["id"], "--no-explicit"]
    args += ["--max-track-length", "6m", "--years", "1980-2020"]
    table = run.invoke(app(), args)
    assert table.exit_code == 0, table.output
    assert table.stdout.index(data["name"]) < table.stdout.index("moodmix: sad but hopeful")
    assert data["description"] in table.stdout.replace("\n", " ")
    shaped = json.loads(run.invoke(app(), [*args, "--json"]).stdout)
    assert all(artist not in t["artists"] for t in shaped["tracks"])
    assert data["tracks"][1]["id"] not in {t["id"] for t in shaped["tracks"]}
    assert all(t["duration_ms"] <= 360_000 for t in shaped["tracks"])


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--years", "2005-1990"], "run forward"),
        (["--years", "nineties"], "--years must look like 1990-2005"),
        (["--max-track-length", "-3m"], "--max-track-length"),
        (["--max-track-length", "20s"], "longest track"),
        (["--exclude-artist", " "], "non-empty"),
    ],
)
def test_bad_exclusions_fail_before_anything_starts(
    run: CliRunner, args: list[str], said: str
) -> None:
    result = run.invoke(app(), ["calm", "--offline", *args])
    assert result.exit_code == 2
    assert said in result.stderr
    assert "simulator" not in result.stderr


def test_a_malformed_seed_fails_before_anything_starts(run: CliRunner) -> None:
    result = run.invoke(app(), ["calm", "--offline", "--seed", "not-a-track"])
    assert result.exit_code == 2
    assert "not-a-track" in result.stderr
    assert "Spotify id" in result.stderr
    assert "simulator" not in result.stderr


def test_a_bad_duration_says_which_forms_work(run: CliRunner) -> None:
    result = run.invoke(app(), ["calm", "--duration", "soon"])
    assert result.exit_code == 2
    assert "1h30m" in result.stderr


def test_export_writes_the_format_its_name_asks_for(run: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "rainy.m3u8"
    result = run.invoke(
        app(), ["rainy Sunday", "--offline", "--size", "6", "--json", "--export", str(target)]
    )
    assert result.exit_code == 0, result.output
    tracks = json.loads(result.stdout)["tracks"]
    lines = target.read_text().splitlines()
    assert lines[:2] == ["#EXTM3U", "#PLAYLIST:rainy Sunday"]
    urls = [f"https://open.spotify.com/track/{t['spotify_id']}" for t in tracks if t["spotify_id"]]
    assert lines[3::2] == urls
    assert f"wrote {target}" in result.stderr.replace("\n", "")


def test_an_unknown_export_name_fails_before_anything_starts(
    run: CliRunner, tmp_path: Path
) -> None:
    result = run.invoke(app(), ["calm", "--offline", "--export", str(tmp_path / "calm.mp3")])
    assert result.exit_code == 2
    assert ".xspf" in result.stderr
    assert "simulator" not in result.stderr
    assert not (tmp_path / "calm.mp3").exists()


@pytest.mark.parametrize(
    ("prompt", "said"),
    [("   ", "needs some words"), ("a" * 2_400, "2,400 characters; at most 500")],
)
def test_a_prompt_the_api_would_refuse_is_refused_here_too(
    run: CliRunner, prompt: str, said: str
) -> None:
    result = run.invoke(app(), [prompt, "--offline"])
    assert result.exit_code == 2
    assert said in result.stderr.replace("\n", "")
    assert "simulator" not in result.stderr


def test_no_upstream_says_it_cannot_connect_and_suggests_offline(
    run: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOODMIX_RECCOBEATS_URL", "http://127.0.0.1:1")  # nothing listens there
    result = run.invoke(app(), ["rainy Sunday"])
    assert result.exit_code == 1
    said = " ".join(result.stderr.split())
    assert "cannot connect to ReccoBeats at http://127.0.0.1:1" in said
    assert "--offline" in said
