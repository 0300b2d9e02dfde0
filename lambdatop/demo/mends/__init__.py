"""Mends for moto: operations the demo server answers itself, faithful to AWS semantics,
so the app's real code path (aiobotocore, same as against AWS) works end to end."""
