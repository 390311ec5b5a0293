# Relève: one image for the web processes and the worker (see compose.yaml and the README's
# "Deploying it for real"). The runtime only, every dependency pinned (requirements.txt).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    RELEVE_DATA_DIR=/data \
    RELEVE_CONFIG=/config/releve.yaml

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin releve \
    && mkdir -p /data /config && chown releve /data && chmod 700 /data

WORKDIR /app
COPY requirements.txt requirements-transcribe.txt ./
RUN pip install -r requirements.txt
# `--build-arg TRANSCRIBE=1`: the worker transcribes voicemails on this host (faster-whisper);
# mount the model folder and name it in service.transcription.model.
ARG TRANSCRIBE=0
RUN if [ "$TRANSCRIBE" = 1 ]; then pip install -r requirements-transcribe.txt; fi

COPY app.py ./
COPY calendars/ calendars/
COPY config/ config/
COPY coverage/ coverage/
COPY routing/ routing/
# Without a configuration mounted at /config, the bundled example is what runs.
RUN cp -r config/example/. /config/

USER releve
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD python -c "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)" || exit 1

# A web process; the worker runs the same image with `flask --app app scheduler run`.
CMD ["gunicorn", "--workers", "2", "--bind", "0.0.0.0:8000", "--forwarded-allow-ips", "*", "app:create_app()"]
