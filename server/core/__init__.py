"""Cross-cutting pieces: errors, headers, clock, audit, database."""
