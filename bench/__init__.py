"""Data generator and benchmarks (see README: "Measuring performance")."""
