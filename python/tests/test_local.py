"""Local mode's compatibility pass changes only its own copy, and says what it changed."""
from __future__ import annotations

import copy

from pareto.local import adapt_for_moto, modelled_types

TEMPLATE = {
    "Resources": {
        "Deployment": {"Type": "AWS::ApiGateway::Deployment", "DependsOn": ["Options", "Validator"],
                       "Properties": {"RestApiId": {"Ref": "Api"}}},
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "api"}},
        "Options": {"Type": "AWS::ApiGateway::Method", "Properties": {
            "HttpMethod": "OPTIONS", "RestApiId": {"Ref": "Api"}, "Integration": {"Type": "MOCK"}}},
        "Validator": {"Type": "AWS::ApiGateway::RequestValidator", "Properties": {}},
        "Secret": {"Type": "AWS::SecretsManager::Secret", "Properties": {}},
        "Function": {"Type": "AWS::Lambda::Function", "Properties": {"Environment": {"Variables": {
            "TOKEN_SECRET": {"Ref": "Secret"},
            "ARN": {"Fn::GetAtt": ["Secret", "Arn"]},
            "SUB": {"Fn::Sub": "${Secret}/${Api}/${AWS::Region}"}}}}},
    },
    "Outputs": {"Secret": {"Value": {"Ref": "Secret"}}, "Api": {"Value": {"Ref": "Api"}}},
}


def test_unmodelled_resources_and_references_to_them_go() -> None:
    original = copy.deepcopy(TEMPLATE)
    adapted, changes = adapt_for_moto(TEMPLATE, modelled_types())
    assert TEMPLATE == original
    resources = adapted["Resources"]
    assert set(resources) == {"Deployment", "Api", "Options", "Function"}
    assert resources["Deployment"]["DependsOn"] == ["Options"]
    assert resources["Function"]["Properties"]["Environment"]["Variables"] == {
        "TOKEN_SECRET": "local:Secret", "ARN": "local:Secret",
        "SUB": {"Fn::Sub": "local:Secret/${Api}/${AWS::Region}"}}
    assert list(adapted["Outputs"]) == ["Api"]
    assert resources["Options"]["Properties"]["Integration"]["Uri"] == "local:mock"
    assert list(resources).index("Options") < list(resources).index("Deployment")
    assert changes == [
        "dropped Secret (AWS::SecretsManager::Secret): moto does not model it",
        "dropped Validator (AWS::ApiGateway::RequestValidator): moto does not model it",
        "gave MOCK method Options a placeholder Integration Uri",
        "ordered the resources so that DependsOn targets come first",
        "dropped output Secret: it names a dropped resource",
    ]


def test_a_template_moto_models_is_left_alone() -> None:
    template = {"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {}}},
                "Outputs": {"Queue": {"Value": {"Ref": "Queue"}}}}
    assert adapt_for_moto(template, modelled_types()) == (template, [])
