"""pareto: a serverless AWS app described in a few lines, as a CloudFormation stack.

    app = pareto.App.load("examples/hello")      # a pareto.yaml, or the folder holding one
    app.validate()                               # raises pareto.ValidationError with .errors
    template = app.synth()                       # dict; app.template_json() gives the bytes
    pareto.match({"source": ["aws.s3"]}, event)  # EventBridge patterns, matched locally
    @pareto.kind(key="streams", schema={...})    # a custom component kind (pareto.kinds)
"""
from . import _pareto
from ._app import App, load, load_path
from ._errors import CommandError, ParetoError, ValidationError, format_error
from .kinds import Kind, KindError, kind, kinds_in_module
from .patterns import Pattern, Rules, compile, match

__version__: str = _pareto.version()
__all__ = ["App", "CommandError", "Kind", "KindError", "ParetoError", "Pattern", "Rules", "ValidationError",
           "compile", "format_error", "kind", "kinds_in_module", "load", "load_path", "match"]
