"""Who may do what: users, sign-in, tokens, the one policy, the tamper-evident audit trail."""
