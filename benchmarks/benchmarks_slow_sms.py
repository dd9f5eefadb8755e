"""An SMS backend for the fault script: writes like the file backend, slowly,
so a worker can be killed in the middle of a batch."""
import time

from notifications.backends import FileSmsBackend


class SlowSms(FileSmsBackend):
    def send(self, *, recipient, body, key):
        time.sleep(0.2)
        super().send(recipient=recipient, body=body, key=key)
