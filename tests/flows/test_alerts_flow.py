"""Alerts, events and artifacts of real check_articles runs: local newsroom, local webhook, Prefect server."""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from typer.testing import CliRunner

from articlewatch.cli import app
from articlewatch.demo.articles import DemoArticle, later_versions
from articlewatch.demo.inbox import AlertInbox
from articlewatch.demo.newsroom import Newsroom
from articlewatch.store import INDEX_FILE, SnapshotStore

PASSWORD = "s3cret-Hook-Pa55"


def run_flow(urls: list[str], store_dir: Path, **options: Any) -> list[dict[str, Any]]:
    """Run the real flow against the session's Prefect test server."""
    from flows.check import check_articles

    return check_articles(urls=urls, store=str(store_dir), **options)


def notify_to(inbox: AlertInbox, password: str | None = None) -> list[SecretStr]:
    url = inbox.apprise_url
    if password:
        url = url.replace("json://", f"json://editor:{password}@")
    return [SecretStr(url)]


def wait_for_events(resource_ids: list[str], expected: int) -> list[Any]:
    """The changed-events of these articles, once the server has stored them (in the background)."""
    from prefect.client.orchestration import get_client
    from prefect.events.filters import EventFilter, EventNameFilter, EventResourceFilter

    event_filter = EventFilter(
        event=EventNameFilter(name=["articlewatch.article.changed"]),
        resource=EventResourceFilter(id=resource_ids),
    )
    deadline = time.monotonic() + 30
    with get_client(sync_client=True) as client:
        while True:
            events = client.read_events(filter=event_filter, limit=50).events
            if len(events) >= expected or time.monotonic() > deadline:
                return events
            time.sleep(0.5)


def test_one_alert_per_significant_change_none_for_first_sighting_noise_or_unchanged(
    prefect_server: None, newsroom: Newsroom, seeds: dict[str, DemoArticle], store_dir: Path
) -> None:
    with AlertInbox() as inbox:
        urls = newsroom.publish(seeds)
        run_flow(list(urls.values()), store_dir, notify=notify_to(inbox))
        assert inbox.received == [], "a first sighting alerted"

        newsroom.publish(later_versions(seeds))
        records = run_flow(list(urls.values()), store_dir, notify=notify_to(inbox))
        significant = [r for r in records if r["significant"]]
        assert len(significant) == 3 and len(inbox.received) == 3
        titles = [document["title"] for document in inbox.received]
        for slug in ("yenisafak", "cnbc", "ukpaper"):
            assert sum(seeds[slug].site in title for title in titles) == 1, titles
        assert not any(seeds["rt"].site in title for title in titles), "page furniture alerted"
        [cnbc] = [d for d in inbox.received if seeds["cnbc"].site in d["title"]]
        assert "98-0" in cnbc["message"] and "paragraph_added" in cnbc["message"]
        assert cnbc["alert_id"] in cnbc["message"]

        run_flow(list(urls.values()), store_dir, notify=notify_to(inbox))
        assert len(inbox.received) == 3, "an unchanged check alerted again"

    with SnapshotStore(store_dir) as store:
        resources = [f"articlewatch.article.{store.history_key(url)}" for url in urls.values()]
    events = wait_for_events(resources, 3)
    assert len(events) == 3
    ids = {document["alert_id"] for document in inbox.received}
    assert {event.payload["alert_id"] for event in events} == ids
    cnbc_event = next(e for e in events if e.resource["articlewatch.url"] == urls["cnbc"])
    assert "paragraph_added" in cnbc_event.payload["kinds"]


def test_a_metadata_only_change_does_not_alert(
    prefect_server: None, newsroom: Newsroom, seeds: dict[str, DemoArticle], store_dir: Path
) -> None:
    article = seeds["ukpaper"]
    with AlertInbox() as inbox:
        url = newsroom.publish({"ukpaper": article})["ukpaper"]
        run_flow([url], store_dir, notify=notify_to(inbox))
        newsroom.publish({"ukpaper": replace(article, description="The White House rejects the proposal.")})
        [record] = run_flow([url], store_dir, notify=notify_to(inbox))
        assert record["outcome"] == "changed" and record["significant"] is False
        assert inbox.received == []


def test_a_receiver_down_on_one_run_gets_the_alert_on_the_next_exactly_once(
    prefect_server: None, newsroom: Newsroom, seeds: dict[str, DemoArticle], store_dir: Path
) -> None:
    article = seeds["ukpaper"]
    with AlertInbox() as inbox:
        url = newsroom.publish({"ukpaper": article})["ukpaper"]
        run_flow([url], store_dir, notify=notify_to(inbox))
        inbox.stop()
        newsroom.publish({"ukpaper": replace(article, title="Trump says no to Putin's offer")})
        [record] = run_flow([url], store_dir, notify=notify_to(inbox))
        assert record["significant"] and inbox.received == []

        inbox.start()
        [record] = run_flow([url], store_dir, notify=notify_to(inbox))
        assert record["outcome"] == "unchanged"
        assert len(inbox.received) == 1 and "Trump says no" in inbox.received[0]["title"]
        run_flow([url], store_dir, notify=notify_to(inbox))
        assert len(inbox.received) == 1, "a delivered alert was sent again"


def test_digest_sends_one_message_and_new_articles_alert_on_request(
    prefect_server: None, newsroom: Newsroom, seeds: dict[str, DemoArticle], store_dir: Path
) -> None:
    with AlertInbox() as inbox:
        urls = newsroom.publish(seeds)
        run_flow(list(urls.values()), store_dir, notify=notify_to(inbox), notify_new=True, digest=True)
        [new] = inbox.received
        assert new["title"] == "articlewatch: 4 article alerts (4 new)"
        assert len(inbox.alert_ids()) == 4

        newsroom.publish(later_versions(seeds))
        run_flow(list(urls.values()), store_dir, notify=notify_to(inbox), notify_new=True, digest=True)
        assert len(inbox.received) == 2
        assert inbox.received[1]["title"] == "articlewatch: 3 article alerts (3 changed)"
        assert len(set(inbox.alert_ids())) == 7


def test_notification_secrets_stay_out_of_prefect_the_store_and_the_cli(
    prefect_server: None, newsroom: Newsroom, seeds: dict[str, DemoArticle], store_dir: Path
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    article = seeds["cnbc"]
    with AlertInbox() as inbox:
        url = newsroom.publish({"cnbc": article})["cnbc"]
        secret = notify_to(inbox, PASSWORD)[0].get_secret_value()
        run_flow([url], store_dir, notify=notify_to(inbox, PASSWORD))
        inbox.stop()  # the warning about the down channel must not name the password either
        newsroom.publish({"cnbc": later_versions({"cnbc": article})["cnbc"]})
        result = CliRunner().invoke(app, ["--store", str(store_dir), "check", url, "--notify", secret])
        assert result.exit_code == 0, result.output
        assert "1 alert(s) pending" in result.output and PASSWORD not in result.output

    with get_client(sync_client=True) as client:
        runs = [run for run in client.read_flow_runs(limit=200) if url in json.dumps(run.parameters)]
        assert len(runs) == 2
        assert all(PASSWORD not in json.dumps(run.parameters) for run in runs)
        run_ids = LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run.id for run in runs]))
        deadline = time.monotonic() + 30
        while True:  # the API takes the run's logs in the background
            messages = " ".join(log.message for log in client.read_logs(log_filter=run_ids))
            if "pending" in messages or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    assert "1 pending" in messages, "the down channel was not logged"
    assert PASSWORD not in messages
    with sqlite3.connect(store_dir / INDEX_FILE) as db:
        dump = "\n".join(db.iterdump())
    assert "outbox" in dump and PASSWORD not in dump and inbox.apprise_url not in dump
    for path in store_dir.rglob("*"):
        if path.is_file() and path.suffix == ".json":
            assert PASSWORD not in path.read_text(encoding="utf-8")


def test_check_notify_on_the_command_line(
    prefect_server: None, newsroom: Newsroom, seeds: dict[str, DemoArticle], store_dir: Path
) -> None:
    runner = CliRunner()
    article = seeds["yenisafak"]
    with AlertInbox() as inbox:
        url = newsroom.publish({"yenisafak": article})["yenisafak"]
        bad = runner.invoke(app, ["--store", str(store_dir), "check", url, "--notify", "nope://tok3n-abc"])
        assert bad.exit_code == 2 and "tok3n" not in bad.output
        args = ["--store", str(store_dir), "check", url, "--json", "--notify", inbox.apprise_url]
        assert runner.invoke(app, args).exit_code == 0
        newsroom.publish({"yenisafak": later_versions({"yenisafak": article})["yenisafak"]})
        result = runner.invoke(app, ["--store", str(store_dir), "check", url, "--notify", inbox.apprise_url])
        assert result.exit_code == 0
        assert f"alerts    json://127.0.0.1:{inbox.port}/…: 1 sent" in result.stdout
        assert len(inbox.received) == 1 and "update stamp" in inbox.received[0]["message"]


def test_a_run_with_changes_publishes_a_markdown_artifact(
    prefect_server: None, newsroom: Newsroom, seeds: dict[str, DemoArticle], store_dir: Path
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    from flows.alerting import ARTIFACT_KEY

    hostile = replace(seeds["ukpaper"], title="Breaking <script>alert(1)</script> news")
    url = newsroom.publish({"ukpaper": seeds["ukpaper"]})["ukpaper"]
    run_flow([url], store_dir)
    newsroom.publish({"ukpaper": hostile})
    run_flow([url], store_dir)
    with get_client(sync_client=True) as client:
        runs = [r for r in client.read_flow_runs(limit=200) if url in json.dumps(r.parameters)]
        by_run = {
            run.id: client.read_artifacts(
                artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run.id]))
            )
            for run in runs
        }
    published = [artifact for artifacts in by_run.values() for artifact in artifacts]
    assert len(published) == 1, "only the run that found a change publishes"
    [artifact] = published
    assert artifact.key == ARTIFACT_KEY and artifact.type == "markdown"
    assert "\\<script\\>" in str(artifact.data) and "<script>" not in str(artifact.data)


def test_unpublished_and_restored_articles_alert_once_each(
    prefect_server: None, newsroom: Newsroom, seeds: dict[str, DemoArticle], store_dir: Path
) -> None:
    article = seeds["cnbc"]
    url = newsroom.publish({"cnbc": article})["cnbc"]
    with AlertInbox() as inbox:
        run_flow([url], store_dir, notify=notify_to(inbox))
        newsroom.remove(article.path)
        [gone] = run_flow([url], store_dir, notify=notify_to(inbox))
        assert gone["outcome"] == "gone" and len(inbox.received) == 1
        assert "unpublished" in inbox.received[0]["message"]
        run_flow([url], store_dir, notify=notify_to(inbox))  # still gone: no second alert
        newsroom.put(article.path, b"", status=503)
        run_flow([url], store_dir, notify=notify_to(inbox))  # an error in between changes nothing
        assert len(inbox.received) == 1
        newsroom.publish({"cnbc": article})
        [back] = run_flow([url], store_dir, notify=notify_to(inbox))
        assert back["outcome"] == "restored" and len(inbox.received) == 2
        assert "back online" in inbox.received[1]["message"]
        run_flow([url], store_dir, notify=notify_to(inbox))
        assert len(inbox.received) == 2 and len(set(inbox.alert_ids())) == 2
