"""Pure sync logic: hybrid logical clocks, operations, merge rules and scope rules.

No I/O: no database, no HTTP, no clock reads. Callers pass the time in.
"""
