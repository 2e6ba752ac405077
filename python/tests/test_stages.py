"""Stages, overrides and references read back from what moto made: examples/shop deployed as dev
and as prod, each with its own settings; diff names what overrides changed; an app loaded for
one stage is not deployed to another."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import pareto
from pareto.host import main

SHOP = Path(__file__).resolve().parents[2] / "examples" / "shop"


def quiet(stream: str, text: str) -> None:
    pass


@pytest.fixture
def shop(tmp_path: Path, aws) -> Path:
    ssm = aws("ssm")
    ssm.put_parameter(Name="/shop/feature-flags", Value="dev-flags", Type="String", Overwrite=True)
    ssm.put_parameter(Name="/shop/prod/feature-flags", Value="prod-flags", Type="String", Overwrite=True)
    return Path(shutil.copytree(SHOP, tmp_path / "shop"))


def test_each_stage_deploys_its_own_settings(shop: Path, aws, moto_url: str) -> None:
    lam, logs = aws("lambda"), aws("logs")
    pareto.load_path(shop, stage="dev").deploy(endpoint_url=moto_url, write=quiet)
    prod = pareto.load_path(shop, stage="prod")
    assert prod.deploy(endpoint_url=moto_url, write=quiet)  # the app's stage: prod

    dev_get = lam.get_function(FunctionName="shop-dev-orders-get")
    prod_get = lam.get_function(FunctionName="shop-prod-orders-get")
    assert dev_get["Configuration"]["MemorySize"] == 256
    assert "Concurrency" not in dev_get
    assert prod_get["Configuration"]["MemorySize"] == 1024
    assert prod_get["Concurrency"]["ReservedConcurrentExecutions"] == 50
    assert prod_get["Configuration"]["TracingConfig"] == {"Mode": "Active"}
    # Read from SSM when the stack deployed; each stage names its own parameter.
    flags = {stage: lam.get_function_configuration(FunctionName=f"shop-{stage}-orders-post")
             ["Environment"]["Variables"]["FEATURE_FLAGS"] for stage in ("dev", "prod")}
    assert flags == {"dev": "dev-flags", "prod": "prod-flags"}
    charger = lam.get_function_configuration(FunctionName="shop-prod-charger")
    assert charger["Architectures"] == ["arm64"]
    assert charger["VpcConfig"]["SubnetIds"] == ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
    assert charger["VpcConfig"]["SecurityGroupIds"] == ["sg-0a1b2c3d4e5f6a7b8"]
    assert charger["Environment"]["Variables"]["PAYMENT_KEY_SECRET"] == "shop/payment-key"
    dev_charger = lam.get_function_configuration(FunctionName="shop-dev-charger")
    assert not dev_charger.get("VpcConfig", {}).get("SubnetIds")
    retention = {stage: logs.describe_log_groups(logGroupNamePrefix=f"/aws/lambda/shop-{stage}-orders-get")
                 ["logGroups"][0]["retentionInDays"] for stage in ("dev", "prod")}
    assert retention == {"dev": 3, "prod": 365}
    stacks = {stage: aws("cloudformation").describe_stacks(StackName=f"shop-{stage}")["Stacks"][0]
              for stage in ("dev", "prod")}
    assert {"Key": "cost-center", "Value": "4711"} in stacks["prod"]["Tags"]
    assert {"Key": "cost-center", "Value": "4711"} not in stacks["dev"]["Tags"]
    # prod keeps its table when the stack goes; dev's data goes with it.
    template = {stage: pareto.load_path(shop, stage=stage).synth()["Resources"]["OrdersTable"]
                for stage in ("dev", "prod")}
    assert template["prod"]["DeletionPolicy"] == "Retain" and "DeletionPolicy" not in template["dev"]


def test_diff_names_what_overrides_change(shop: Path, aws, moto_url: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(shop), "--stage", "prod", "--endpoint-url", moto_url]) == 0
    assert "overridden (overrides:): OrdersTable\n" in capsys.readouterr().err
    result = pareto.load_path(shop, stage="prod").diff(endpoint_url=moto_url, write=quiet)
    assert result["overridden"] == ["OrdersTable"]


def test_an_app_loaded_for_one_stage_is_not_deployed_to_another(shop: Path, moto_url: str) -> None:
    with pytest.raises(pareto.CommandError) as raised:
        pareto.load_path(shop, stage="prod").deploy("dev", endpoint_url=moto_url, write=quiet)
    assert "loaded with stage prod's settings, and this command is for stage dev" in str(raised.value)


def test_synth_shows_each_stages_template(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["synth", str(shop), "--stage", "prod"]) == 0
    prod = capsys.readouterr().out
    assert prod == pareto.load_path(shop, stage="prod").template_json()
    assert main(["synth", str(shop)]) == 0  # dev, the default stage
    assert capsys.readouterr().out == pareto.load_path(shop, stage="dev").template_json() != prod
