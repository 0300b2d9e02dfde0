"""AWS console links for one function: the function, its Logs Insights query, its traces.

The console's Insights and X-Ray routes take their state in the URL fragment, URL-encoded
with `%` written as `*` (the console's own escaping); region-qualified hosts keep the link
working from any default region.
"""

from __future__ import annotations

from urllib.parse import quote

INSIGHTS_ERRORS_QUERY = (
    "fields @timestamp, @requestId, @message"
    " | filter @message like /ERROR|Task timed out|Status: timeout/"
    " | sort @timestamp desc | limit 100"
)


def _console_escape(text: str) -> str:
    return quote(text, safe="").replace("%", "*")


def console_links(name: str, region: str, log_group: str | None, window_minutes: int) -> list[tuple[str, str]]:
    """(label, URL) pairs, most useful first."""
    host = f"https://{region}.console.aws.amazon.com"
    group = log_group or f"/aws/lambda/{name}"
    insights = (
        f"{host}/cloudwatch/home?region={region}#logsV2:logs-insights"
        "$3FqueryDetail$3D~(end~0~start~-"
        f"{window_minutes * 60}~timeType~'RELATIVE~unit~'seconds"
        f"~editorString~'{_console_escape(INSIGHTS_ERRORS_QUERY)}"
        f"~source~(~'{_console_escape(group)}))"
    )
    expression = _console_escape('service("' + name + '")')
    traces = (
        f"{host}/cloudwatch/home?region={region}#xray:traces/query"
        f"?~(query~(expression~'{expression})"
        f"~context~(timeRange~(delta~{window_minutes * 60000})))"
    )
    group_path = quote(group, safe="").replace("%", "$25")  # the console's log-group route escaping
    return [
        ("function", f"{host}/lambda/home?region={region}#/functions/{quote(name, safe='')}"),
        ("errors in Logs Insights", insights),
        ("traces in X-Ray", traces),
        ("log group", f"{host}/cloudwatch/home?region={region}#logsV2:log-groups/log-group/{group_path}"),
    ]
