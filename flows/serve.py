"""Serve the scheduled deployments in-process: the same schedules prefect.yaml declares."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import cast

from prefect import serve
from prefect.deployments.runner import RunnerDeployment

from flows.check import check_articles

CHECK_EVERY = timedelta(minutes=15)


def serve_deployments(store: str) -> None:
    """Run check-due-articles every 15 minutes until interrupted (schedules need a Prefect server)."""
    if not os.environ.get("PREFECT_API_URL"):
        print(
            "warning: PREFECT_API_URL is not set: the ephemeral Prefect server does not run schedules. "
            "Start one with `prefect server start` and set PREFECT_API_URL=http://127.0.0.1:4200/api."
        )
    # to_deployment is sync/async dispatched; called from sync code it returns the deployment.
    deployment = cast(
        RunnerDeployment,
        check_articles.to_deployment(
            name="check-due-articles",
            interval=CHECK_EVERY,
            parameters={"store": store},
            description="Check every watched article that is due.",
        ),
    )
    serve(deployment)
