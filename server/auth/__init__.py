"""Who is asking and what they may call: passwords, sessions, login limit, devices, route rules."""
