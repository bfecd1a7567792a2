"""The FastAPI server: settings, database, auth, routes, sync endpoints, audit log."""
