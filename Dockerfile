# The Happy Kids bot as an image: a thin wrapper over the steps CI runs itself (tests/e2e/test_ops_package.py
# builds the same wheel, installs it into a fresh environment and starts `happykids run` / `happykids health`).
# Build:  docker build -t happykids .        Run: see compose.yaml and docs/operations.md.

# --- 1. The package, built from the source tree (no compilers: every dependency ships wheels) ---
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY happykids ./happykids
COPY tgemulator ./tgemulator
COPY tgtext ./tgtext
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

# --- 2. Only what runs the bot ---
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    DATA_DIR=/data
# A dedicated user without a login; DATA_DIR belongs to it (database, receipts, backups, lock, heartbeat).
RUN useradd --system --uid 10001 --user-group --home-dir /data --no-create-home --shell /usr/sbin/nologin happykids \
    && mkdir /data && chown happykids:happykids /data
COPY --from=build /wheels /wheels
# PostgreSQL and Redis drivers are included, so the compose profile needs no other image.
RUN pip install --no-cache-dir "$(ls /wheels/happykids_bot-*.whl)[postgres,redis]" && rm -rf /wheels
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
# `happykids health`: the bot process is alive, its last getUpdates is recent, the database answers, the archive
# queue moves. start-period: the first long poll may take up to 20 s to answer.
HEALTHCHECK --interval=60s --timeout=20s --start-period=90s --retries=3 CMD ["happykids", "health"]
STOPSIGNAL SIGTERM
CMD ["happykids", "run"]
