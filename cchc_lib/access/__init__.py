"""Who may do what: accounts and roles, login sessions, login throttling, rate limits."""

__all__ = ["accounts", "accounts_copy", "rate_limit", "sessions", "throttle"]
