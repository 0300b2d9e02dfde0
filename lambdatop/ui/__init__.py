"""The Textual user interface. Depends on `lambdatop.protocols`, never on `lambdatop.aws`."""
