"""Request bodies of the write routes, one module per area. Each maps, once, to its application command; the single
routes and the batch (POST /v1/events) share them, so a command means the same thing however it arrives."""
