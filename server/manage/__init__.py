"""`python -m server.manage …`: running a real installation from the command line.

- `setup`   — a municipality from nothing: its teams, partner organisations and first
              administrator, who gets a one-time link to choose a password (setup.py).
- `invite`  — a new one-time link for a user (an expired invitation, a forgotten password).
- `backup`  — a consistent copy of the running database (SQLite's backup API; pg_dump).
- `restore` — a backup into the configured database (backup.py).

The database is `BROBYGGER_DATABASE_URL` (or `--database-url`), as for the server. Output is
Danish (it is for the municipality's IT staff); the exit code is 0 when done (or nothing
was to do), 2 when the command refused.
"""
