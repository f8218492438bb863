"""In-app notifications and their e-mails, fed by one `notify` service."""
