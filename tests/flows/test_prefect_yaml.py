"""prefect.yaml declares a deployment Prefect accepts, pointing at the real flow."""

from __future__ import annotations

import importlib
from datetime import timedelta
from pathlib import Path

import yaml
from prefect.cli.deploy._models import PrefectYamlModel  # internal API: pinned prefect 3.8

ROOT = Path(__file__).resolve().parents[2]


def test_check_deployment_runs_every_15_minutes_and_points_at_the_flow() -> None:
    config = PrefectYamlModel.model_validate(yaml.safe_load((ROOT / "prefect.yaml").read_text()))
    [deployment] = [d for d in config.deployments if d.name == "check-due-articles"]
    assert deployment.schedules and deployment.schedules[0].interval == timedelta(minutes=15)
    module_path, function = deployment.entrypoint.split(":")
    module = importlib.import_module(module_path.removesuffix(".py").replace("/", "."))
    assert getattr(module, function).name == "check-articles"
    assert deployment.work_pool is not None and deployment.work_pool.name == "articlewatch"
