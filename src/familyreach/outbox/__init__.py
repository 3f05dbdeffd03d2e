"""Durable outbound messages: a table-backed outbox sent by the task worker.

Infrastructure, not a domain: it imports no domain app. `familyreach.outbox.notify` writes rows
here in the caller's transaction; `sending.messages_send_due` (the task
`outbox.tasks.send_due_messages`, also run every minute by the scheduler) sends them through a
backend (GOV.UK Notify, or the console in the demo) with retries and backoff.
docs/runbooks/messages.md and docs/decisions/0004-table-backed-outbox.md say why and how.
"""
