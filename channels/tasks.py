from celery import shared_task

from channels import wechat


@shared_task
def sweep_replay_guard():
    """Forget WeChat nonces older than twice the replay window (their timestamps refuse them anyway)."""
    return wechat.replay_guard_sweep()
