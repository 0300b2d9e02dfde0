"""All AWS I/O: async aiobotocore clients. Never imports Textual or Rich."""
