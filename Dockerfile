# Multi-stage image: `prod` runs gunicorn as a non-root user, `dev` runs runserver.
FROM python:3.12-slim-bookworm AS app
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
RUN apt-get update && apt-get install -y --no-install-recommends \
        build-essential default-libmysqlclient-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /edx/app/edx-exams
COPY requirements/ requirements/
RUN pip install --no-cache-dir -r requirements/production.txt
COPY . .
EXPOSE 18740

FROM app AS prod
ENV DJANGO_SETTINGS_MODULE=edx_exams.settings.production
RUN useradd --system --home /edx/app/edx-exams app && python manage.py collectstatic --noinput
USER app
CMD ["gunicorn", "--workers=2", "--bind=0.0.0.0:18740", "--timeout=60", "edx_exams.wsgi:application"]

FROM app AS dev
RUN pip install --no-cache-dir -r requirements/dev.txt
ENV DJANGO_SETTINGS_MODULE=edx_exams.settings.local
CMD ["python", "manage.py", "runserver", "0.0.0.0:18740"]
