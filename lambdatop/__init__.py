"""lambdatop: a terminal dashboard for operating AWS Lambda."""

__version__ = "0.1.0"
