# syntax=docker/dockerfile:1
# edx-exams production image (docs/operations/container.rst).
#
# `build` compiles the virtualenv from requirements/production.txt with the build tools and MySQL
# headers; `prod` copies only that virtualenv into a slim image with the MySQL client library, collects
# the static files, and runs as the non-root user `app`, whose only writable directory is
# /var/lib/edx-exams (Celery beat's schedule file). Every command below is one of
# edx_exams/processes.py, which `make prod.smoke` runs too; edx_exams/tests/test_processes.py fails
# when they drift apart.
ARG PYTHON_IMAGE=python:3.12-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update && apt-get install -y --no-install-recommends \
        build-essential default-libmysqlclient-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /venv
COPY requirements/production.txt /tmp/production.txt
RUN /venv/bin/pip install --no-cache-dir -r /tmp/production.txt && /venv/bin/pip check

FROM ${PYTHON_IMAGE} AS prod
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PATH=/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=edx_exams.settings.production EDX_EXAMS_CFG=/edx/etc/edx_exams.yml GUNICORN_BIND=0.0.0.0:18740
RUN apt-get update && apt-get install -y --no-install-recommends libmariadb3 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --user-group --home-dir /var/lib/edx-exams --shell /usr/sbin/nologin app \
    && install -d -o app -g app -m 0750 /var/lib/edx-exams
COPY --from=build /venv /venv
WORKDIR /edx/app/edx-exams
COPY . .
# No configuration exists at build time; the build settings collect with production's storage.
RUN DJANGO_SETTINGS_MODULE=edx_exams.settings.build python manage.py collectstatic --noinput
USER app
VOLUME /var/lib/edx-exams
EXPOSE 18740
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["python", "scripts/healthcheck.py"]
CMD ["gunicorn", "--config", "edx_exams/gunicorn.conf.py", "--no-control-socket", "edx_exams.wsgi:application"]
