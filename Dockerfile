# The user code image of the shared deployment (deploy/helm/values.yaml): the package `make setup`
# installs, the same way (editable, from this folder: the templates and the sample are read from it).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    DAGSTER_HOME=/opt/dagster/dagster_home

WORKDIR /opt/sgr
COPY pyproject.toml README.md ./
COPY pipeline ./pipeline
COPY assets ./assets
COPY runtime ./runtime
COPY reports/template ./reports/template
COPY sources ./sources
COPY deploy ./deploy
RUN python -m pip install --upgrade pip && python -m pip install -e . \
    && mkdir -p "$DAGSTER_HOME" && cp deploy/dagster.yaml "$DAGSTER_HOME/dagster.yaml"

EXPOSE 3030
CMD ["dagster", "api", "grpc", "-h", "0.0.0.0", "-p", "3030", "-m", "assets.definitions"]
