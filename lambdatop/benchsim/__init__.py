"""Simulated-time benchmarks of the collector's scheduling (control plane, fleet passes).

Figures about minutes and hours of a dashboard left open are measured in simulated time: an
account answered in process by botocore hooks (no socket), and a virtual clock that jumps to
the next timer once every task waits, so ten minutes take a few seconds of CPU.
"""
