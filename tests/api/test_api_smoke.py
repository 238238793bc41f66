from __future__ import annotations


def test_queue_lists_seeded_incidents_most_severe_first(client, auth):
    response = client.get("/api/v1/incidents", headers=auth("analyst"))
    assert response.status_code == 200, response.text
    ids = [i["id"] for i in response.json()["data"]]
    assert ids == ["inc-water", "inc-scam", "inc-flood"]
