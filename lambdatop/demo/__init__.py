"""The `--demo` mode: an AWS-compatible server embedded in process (moto plus mends that make
it answer like AWS), a simulated account seeded into it, and traffic written through AWS APIs."""
