"""The simulated-time figures hold their targets on a smaller fleet (the bench runs 2,000)."""

from __future__ import annotations

from lambdatop.benchsim.control_plane import measure_control_plane
from lambdatop.benchsim.fleet_passes import measure_fleet_passes


def test_the_background_reads_keep_to_the_budget_and_finish_the_details() -> None:
    figures = measure_control_plane(600, minutes=10.0)
    assert figures["control_plane_rps"] <= 3.0
    assert figures["details_complete_s"] <= 300.0  # and not NaN: every detail was read
    assert figures["get_function_rps"] <= 20.0


def test_background_errors_do_not_multiply_fleet_passes() -> None:
    figures = measure_fleet_passes(400, hours=0.5)
    assert figures["fleet_passes_per_hour"] <= 13.0
