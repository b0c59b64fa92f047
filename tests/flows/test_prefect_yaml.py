"""prefect.yaml declares deployments Prefect accepts, pointing at the real flows."""

from __future__ import annotations

import importlib
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from prefect.cli.deploy._models import PrefectYamlModel  # internal API: pinned prefect 3.8

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = {
    "check-due-articles": ("check-articles", timedelta(minutes=5), None),
    "discover-articles": ("discover-articles", timedelta(hours=1), None),
    "daily-digest": ("daily-digest", None, "0 7 * * *"),
}
# Started on demand (no schedule): flow, runs at once (None: no limit), work queue.
ON_DEMAND = {
    "check-due-sharded": ("check-sharded", 1, None),
    "check-shard": ("check-articles", None, "shards"),
}


def _config() -> PrefectYamlModel:
    return PrefectYamlModel.model_validate(yaml.safe_load((ROOT / "prefect.yaml").read_text()))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_deployment_has_its_schedule_pool_limit_and_flow(name: str) -> None:
    [deployment] = [d for d in _config().deployments if d.name == name]
    flow_name, interval, cron = EXPECTED[name]
    [schedule] = deployment.schedules or []
    assert (schedule.interval, schedule.cron, schedule.timezone) == (interval, cron, "UTC")
    module_path, function = deployment.entrypoint.split(":")
    module = importlib.import_module(module_path.removesuffix(".py").replace("/", "."))
    assert getattr(module, function).name == flow_name
    assert deployment.work_pool is not None and deployment.work_pool.name == "articlewatch"
    limit = deployment.concurrency_limit
    assert getattr(limit, "limit", limit) == 1


@pytest.mark.parametrize("name", sorted(ON_DEMAND))
def test_each_on_demand_deployment_has_its_flow_pool_queue_and_limit(name: str) -> None:
    [deployment] = [d for d in _config().deployments if d.name == name]
    flow_name, limit, queue = ON_DEMAND[name]
    assert not deployment.schedules
    module_path, function = deployment.entrypoint.split(":")
    module = importlib.import_module(module_path.removesuffix(".py").replace("/", "."))
    assert getattr(module, function).name == flow_name
    assert deployment.work_pool is not None and deployment.work_pool.name == "articlewatch"
    assert deployment.work_pool.work_queue_name == queue
    declared = deployment.concurrency_limit
    assert getattr(declared, "limit", declared) == limit


def test_every_deployment_is_expected() -> None:
    assert {d.name for d in _config().deployments} == set(EXPECTED) | set(ON_DEMAND)


def test_the_pull_step_changes_into_the_directory_deploy_ran_in() -> None:
    document = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    [build] = document["build"]
    step = build["prefect.deployments.steps.run_shell_script"]
    assert step["script"] == "pwd"
    [pull] = document["pull"]
    directory = pull["prefect.deployments.steps.set_working_directory"]["directory"]
    assert directory == "{{ " + step["id"] + ".stdout }}"
