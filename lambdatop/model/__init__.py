"""Pure data and derived numbers: no I/O, no Textual, no AWS SDK."""
