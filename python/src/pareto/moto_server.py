"""`python -m pareto.moto_server [moto.server's arguments]`: moto's server, with the one thing
its CloudFormation lacks for pareto's nested stacks. moto 5.2 creates an
AWS::CloudFormation::Stack from its TemplateURL but gives it no attributes, so a parent's
`Fn::GetAtt [Stack01, Outputs.UsersTableArn]` fails; here it reads the nested stack's output,
as CloudFormation does. Everything else is moto's own."""
from typing import Any

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.cloudformation.models import Stack


def nested_stack_attribute(stack: Stack, attribute: str) -> Any:
    if attribute.startswith("Outputs."):
        name = attribute[len("Outputs."):]
        for output in stack.outputs or []:
            if output["OutputKey"] == name:
                return output["OutputValue"]
    raise UnformattedGetAttTemplateException()


def main() -> None:
    Stack.get_cfn_attribute = nested_stack_attribute  # type: ignore[attr-defined]
    from moto.server import main as moto_main

    moto_main()


if __name__ == "__main__":
    main()
