"""Widgets of the fleet screen."""
