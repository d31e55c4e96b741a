"""The Zalo channel: its HTTP client and (to come) the adapter that drives the same services and forms."""
