FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
RUN DJANGO_SETTINGS_MODULE=oms.settings.production SECRET_KEY=build ALLOWED_HOSTS=x DATABASE_URL=postgres://x@x/x \
    python manage.py collectstatic --noinput
RUN useradd --create-home oms && chown -R oms /app
USER oms
EXPOSE 8000
CMD ["gunicorn", "oms.wsgi", "-b", "0.0.0.0:8000", "-w", "4", "--access-logfile", "-"]
