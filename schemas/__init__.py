"""The domain: enumerations, synced record tables with per-field merge semantics, form definitions."""
