"""gunicorn's logger with the 三民 voting pages left out of its access and error logs
(`gunicorn --logger-class config.gunicorn_logger.Logger`, see the Dockerfile and
docker-compose.yml). gunicorn's loggers do not propagate to Django's LOGGING, so they
get the same filter here (docs/sanmin.md, "The logs")."""
from gunicorn import glogging

from evaluation.sanmin_logging import VotingRequestFilter


class Logger(glogging.Logger):
    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            if not any(isinstance(f, VotingRequestFilter) for f in log.filters):
                log.addFilter(VotingRequestFilter())
