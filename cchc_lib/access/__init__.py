"""Who may do what: accounts and roles, login sessions, login throttling, rate limits."""

__all__ = ["accounts", "rate_limit", "sessions", "throttle"]
