# syntax=docker/dockerfile:1
# infrawork: `docker build -t infrawork .` then
# `docker run -p 3000:3000 -e SLACK_BOT_TOKEN=… -e SLACK_SIGNING_SECRET=… -v infrawork:/data infrawork`

# --- build: install the project and its drivers into a virtualenv -------------------------------
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
WORKDIR /src
COPY pyproject.toml README.md ./
COPY core ./core
COPY storage ./storage
COPY bot ./bot
RUN /opt/venv/bin/pip install ".[postgres,crypto]"

# --- run: the virtualenv only, as an unprivileged user --------------------------------------------
FROM python:3.11-slim
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin infrawork \
    && mkdir /data && chown infrawork:infrawork /data
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PORT=3000 \
    DATABASE_URL=sqlite+aiosqlite:////data/infrawork.db
USER infrawork
WORKDIR /home/infrawork
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-m", "bot.healthcheck"]
# Migrations run at start (serialised by an advisory lock on PostgreSQL).
CMD ["infrawork", "serve"]
