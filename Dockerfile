# MediaWatch application image (API, crawler, workers). Models, configuration and index templates
# ship in the image; nothing is downloaded at run time.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY . /app
# Editable install: settings find config/, models/ and index_config/ beside the code.
# Pinned versions (constraints.txt) are the ones the shipped models were built with.
RUN pip install -c constraints.txt -e . \
    && useradd --system --uid 10001 --home-dir /app mediawatch \
    && mkdir -p /app/var && chown mediawatch /app/var

USER mediawatch
ENV MEDIAWATCH_DB=/app/var/mediawatch.db
EXPOSE 8000
CMD ["mediawatch", "serve", "--host", "0.0.0.0", "--port", "8000"]
