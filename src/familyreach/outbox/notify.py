"""Messages to people (email and text), behind one small interface every app uses.

`send_email(to=..., subject=..., body=...)` and `send_text(to=..., body=...)` do not send: they
store the message in the outbox inside the caller's transaction, so it is kept exactly when
what caused it is kept, and the worker sends it after commit through GOV.UK Notify (with
retries), or through the console backend in the demo. See docs/runbooks/messages.md.
"""

from familyreach.outbox.models import Channel, MessageKind, OutboundMessage
from familyreach.outbox.services import message_store

# What send_email and send_text return: the stored row (its status says whether it has gone).
Message = OutboundMessage
Kind = MessageKind


def send_email(
    *, to: str, subject: str, body: str, reference: str = "", kind: str = MessageKind.GENERAL
) -> OutboundMessage:
    return message_store(
        channel=Channel.EMAIL, to=to, subject=subject, body=body, reference=reference, kind=kind
    )


def send_text(
    *, to: str, body: str, reference: str = "", kind: str = MessageKind.GENERAL
) -> OutboundMessage:
    return message_store(channel=Channel.TEXT, to=to, body=body, reference=reference, kind=kind)


def send_the_way_chosen(
    *,
    prefers_email: bool,
    email: str,
    phone: str,
    subject: str,
    body: str,
    reference: str = "",
    kind: str = MessageKind.GENERAL,
) -> OutboundMessage | None:
    """To a family, the way they chose: email when they chose it and gave one, else a text
    (a family who asked for a phone call is told by text too: a call may be missed). None when
    they gave neither."""
    if prefers_email and email:
        return send_email(to=email, subject=subject, body=body, reference=reference, kind=kind)
    if phone:
        return send_text(to=phone, body=body, reference=reference, kind=kind)
    return None
