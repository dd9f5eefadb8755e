"""Interface placeholder until the outbox lands (branch `notify`): same signature."""


def notification_enqueue(*, key, channel, recipient, subject="", body, **extra):
    return None
