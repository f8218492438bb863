"""Personal data: export (a job builds a zip) and erasure (contributions stay, anonymous)."""
