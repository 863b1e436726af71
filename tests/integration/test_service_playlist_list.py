"""Your playlists: search by prompt (with paging that keeps the search), and delete."""

from __future__ import annotations

from test_service_harness import RunningService

pytest_plugins = ["test_service_harness"]


async def make(service: RunningService, prompt: str) -> str:
    r = await service.http.post("/v1/playlists?wait=true", json={"prompt": prompt, "size": 5})
    assert r.status_code == 200, r.text
    return str(r.json()["id"])


async def test_search_by_prompt_and_page_through_it(service: RunningService) -> None:
    rainy = [await make(service, f"rainy day {n}") for n in range(3)]
    await make(service, "sunny beach party")
    await make(service, "100% focus_mode")
    r = await service.http.get("/v1/playlists", params={"q": "RAINY", "limit": 2})
    first = r.json()
    assert [p["id"] for p in first["items"]] == rainy[::-1][:2]
    assert "q=RAINY" in first["next"]
    second = (await service.http.get(first["next"])).json()
    assert [p["id"] for p in second["items"]] == rainy[:1]
    assert second["next"] is None
    literal = (await service.http.get("/v1/playlists", params={"q": "0% focus_"})).json()
    assert [p["prompt"] for p in literal["items"]] == ["100% focus_mode"]  # % and _ are text
    none = (await service.http.get("/v1/playlists", params={"q": "_"})).json()
    assert [p["prompt"] for p in none["items"]] == ["100% focus_mode"]


async def test_delete_a_finished_playlist_and_its_links(service: RunningService) -> None:
    id = await make(service, "rainy day to delete")
    link = (await service.http.post(f"/v1/playlists/{id}/share")).json()["url"]
    assert (await service.http.get(link)).status_code == 200
    assert (await service.http.delete(f"/v1/playlists/{id}")).status_code == 204
    assert (await service.http.get(f"/v1/playlists/{id}")).status_code == 404
    assert (await service.http.get(link)).status_code == 404
    assert (await service.http.delete(f"/v1/playlists/{id}")).status_code == 404
    again = await service.http.post(
        "/v1/playlists?wait=true", json={"prompt": "rainy day to delete", "size": 5}
    )
    assert again.json()["id"] != id  # not answered from the deleted one
