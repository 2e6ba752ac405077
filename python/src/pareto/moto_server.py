"""`python -m pareto.moto_server [moto.server's arguments]`: moto's server, with seven things its
CloudFormation does as AWS does not, and pareto's stacks rely on:

- moto 5.2 creates an AWS::CloudFormation::Stack from its TemplateURL but gives it no
  attributes, so a parent's `Fn::GetAtt [Stack01, Outputs.UsersTableArn]` fails; here it reads
  the nested stack's output, as CloudFormation does.
- moto updates a nested stack by deleting it and creating it again, so every resource in it is
  made anew (a table's items gone); here the nested stack is updated in place, as
  CloudFormation does.
- moto deletes a resource an update removes whatever its DeletionPolicy; here one with
  `DeletionPolicy: Retain` stays, as it does on AWS (moto's stack deletion already keeps it).
- moto makes an AWS::Lambda::Function without its Architectures, TracingConfig,
  EphemeralStorage and Tags (its Lambda API has them); here the function gets them.
- moto leaves a DynamoDB table's update unimplemented, and the table it had is lost to the
  stack; here the table is updated in place (what CloudFormation does for a change that replaces
  nothing, such as time to live), keeping its items. Settings moto's CloudFormation ignores are
  applied through the API by pareto's local mode.
- moto splits a list parameter's value (List<AWS::EC2::Subnet::Id>, CommaDelimitedList) when it
  is passed, not when it is the parameter's Default; here the default is split too.

Everything else is moto's own."""
from typing import Any

from moto.awslambda.models import LambdaFunction
from moto.cognitoidp.models import CognitoIdpBackend, cognitoidp_backends
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.cloudformation.models import Stack
from moto.cloudformation.parsing import ResourceMap
from moto.cloudformation.utils import get_stack_from_s3_url
from moto.core.common_models import CloudFormationModel
from moto.dynamodb.models import Table
from moto.utilities.utils import get_partition


def nested_stack_attribute(stack: Stack, attribute: str) -> Any:
    if attribute.startswith("Outputs."):
        name = attribute[len("Outputs."):]
        for output in stack.outputs or []:
            if output["OutputKey"] == name:
                return output["OutputValue"]
    raise UnformattedGetAttTemplateException()


def update_nested_stack(cls: type, original_resource: Stack, new_resource_name: str,
                        cloudformation_json: dict, account_id: str, region_name: str) -> Stack:
    properties = cloudformation_json["Properties"]
    template = get_stack_from_s3_url(properties["TemplateURL"], account_id=account_id,
                                     partition=get_partition(region_name))
    original_resource.update(template, parameters=properties.get("Parameters", {}))
    return original_resource


moto_delete_resource = ResourceMap._delete_resource


def delete_unless_retained(resources: ResourceMap, parsed_resource: Any,
                           resource_json: dict) -> None:
    if resource_json.get("DeletionPolicy") != "Retain":
        moto_delete_resource(resources, parsed_resource, resource_json)


moto_create_function = LambdaFunction.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]


def create_function(cls: type, resource_name: str, cloudformation_json: dict, account_id: str,
                    region_name: str, **kwargs: Any) -> LambdaFunction:
    function = moto_create_function(cls, resource_name, cloudformation_json, account_id,
                                    region_name, **kwargs)
    properties = cloudformation_json["Properties"]
    function.architectures = properties.get("Architectures", function.architectures)
    function.tracing_config = properties.get("TracingConfig", function.tracing_config)
    function.ephemeral_storage = properties.get("EphemeralStorage", {}).get(
        "Size", function.ephemeral_storage)
    function.tags.update({tag["Key"]: tag["Value"] for tag in properties.get("Tags", [])})
    return function


moto_load_parameters = ResourceMap.load_parameters


def update_table_in_place(cls: type, original_resource: Table, new_resource_name: str,
                          cloudformation_json: dict, account_id: str, region_name: str) -> Table:
    return original_resource


def load_parameters(resources: ResourceMap) -> None:
    moto_load_parameters(resources)
    for name, parameter in resources._template.get("Parameters", {}).items():
        value = resources.resolved_parameters.get(name)
        kind = parameter.get("Type", "String")
        if isinstance(value, str) and (kind == "CommaDelimitedList" or kind.startswith("List<")):
            resources.resolved_parameters[name] = resources._parsed_resources[name] = value.split(",")


def cognito(account_id: str, region_name: str) -> CognitoIdpBackend:
    return cognitoidp_backends[account_id][region_name]


class Declared:
    """The class methods moto's CloudFormation asks of a model, from three class attributes."""

    NAME_PROPERTY = TYPE = ""
    ATTRIBUTES: tuple[str, ...] = ()

    @classmethod
    def cloudformation_name_type(cls) -> str:
        return cls.NAME_PROPERTY

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.TYPE

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES


# moto finds models among CloudFormationModel's direct subclasses, and files them by module
# (as __main__, these have none).
class UserPool(Declared, CloudFormationModel):
    """AWS::Cognito::UserPool: its properties are CreateUserPool's parameters."""

    __module__ = "pareto.moto_server"
    NAME_PROPERTY, TYPE = "UserPoolName", "AWS::Cognito::UserPool"
    ATTRIBUTES = ("Arn", "ProviderName", "ProviderURL", "UserPoolId")

    def __init__(self, pool_id: str, arn: str, region_name: str) -> None:
        self.physical_resource_id = pool_id
        self.arn = arn
        self.region_name = region_name

    def get_cfn_attribute(self, attribute_name: str) -> str:
        provider = f"cognito-idp.{self.region_name}.amazonaws.com/{self.physical_resource_id}"
        return {"Arn": self.arn, "ProviderName": provider, "ProviderURL": f"https://{provider}",
                "UserPoolId": self.physical_resource_id}[attribute_name]

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict,
                                        account_id: str, region_name: str,
                                        **kwargs: Any) -> "UserPool":
        properties = dict(cloudformation_json.get("Properties", {}))
        name = properties.pop("UserPoolName", resource_name)
        pool = cognito(account_id, region_name).create_user_pool(name, properties)
        return cls(pool.id, pool.arn, region_name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: "UserPool",
                                        new_resource_name: str, cloudformation_json: dict,
                                        account_id: str, region_name: str) -> "UserPool":
        properties = dict(cloudformation_json.get("Properties", {}))
        properties.pop("UserPoolName", None)
        cognito(account_id, region_name).update_user_pool(
            original_resource.physical_resource_id, properties)
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        cognito(account_id, region_name).delete_user_pool(self.physical_resource_id)


class UserPoolClient(Declared, CloudFormationModel):
    """AWS::Cognito::UserPoolClient: its properties are CreateUserPoolClient's parameters."""

    __module__ = "pareto.moto_server"
    NAME_PROPERTY, TYPE = "ClientName", "AWS::Cognito::UserPoolClient"
    ATTRIBUTES = ("ClientId", "Name")

    def __init__(self, client_id: str, pool_id: str) -> None:
        self.physical_resource_id = client_id
        self.pool_id = pool_id

    def get_cfn_attribute(self, attribute_name: str) -> str:
        return self.physical_resource_id

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict,
                                        account_id: str, region_name: str,
                                        **kwargs: Any) -> "UserPoolClient":
        properties = dict(cloudformation_json.get("Properties", {}))
        pool_id = properties.pop("UserPoolId")
        properties.setdefault("ClientName", resource_name)
        client = cognito(account_id, region_name).create_user_pool_client(
            pool_id, properties.pop("GenerateSecret", False), properties)
        return cls(client.id, pool_id)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: "UserPoolClient",
                                        new_resource_name: str, cloudformation_json: dict,
                                        account_id: str, region_name: str) -> "UserPoolClient":
        properties = dict(cloudformation_json.get("Properties", {}))
        properties.pop("UserPoolId", None)
        properties.pop("GenerateSecret", None)
        cognito(account_id, region_name).update_user_pool_client(
            original_resource.pool_id, original_resource.physical_resource_id, properties)
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        # moto deletes a stack's resources in set order, which varies by process; Cognito
        # deletes a pool's clients with the pool, so a client whose pool went first is gone.
        backend = cognito(account_id, region_name)
        if self.pool_id in backend.user_pools:
            backend.delete_user_pool_client(self.pool_id, self.physical_resource_id)


def main() -> None:
    LambdaFunction.create_from_cloudformation_json = classmethod(create_function)  # type: ignore[assignment]
    Stack.get_cfn_attribute = nested_stack_attribute  # type: ignore[attr-defined]
    Stack.update_from_cloudformation_json = classmethod(update_nested_stack)  # type: ignore[assignment]
    Table.update_from_cloudformation_json = classmethod(update_table_in_place)  # type: ignore[assignment]
    ResourceMap._delete_resource = delete_unless_retained  # type: ignore[method-assign]
    ResourceMap.load_parameters = load_parameters  # type: ignore[method-assign]
    from moto.server import main as moto_main

    moto_main()


if __name__ == "__main__":
    main()
