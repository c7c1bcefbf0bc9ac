"""Pages for people: server-rendered HTML (Jinja2) in the same application as the API, reading the same views."""
