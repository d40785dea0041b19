# syntax=docker/dockerfile:1
# SME Hub: build a wheel, then run it as a non-root user with WeasyPrint's system libraries.

FROM python:3.11-slim-bookworm AS build
WORKDIR /src
RUN pip install --no-cache-dir build
COPY pyproject.toml README.md alembic.ini babel.cfg ./
COPY sme_hub ./sme_hub
COPY templates ./templates
COPY migrations ./migrations
RUN python -m build --wheel --outdir /wheels

FROM python:3.11-slim-bookworm AS runtime
# Pango and fonts for WeasyPrint's PDFs (certificates, agreements, application copies).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
      libharfbuzz-subset0 fonts-dejavu-core fonts-noto-core \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
RUN useradd --create-home --uid 10001 smehub \
 && mkdir -p /data && chown smehub:smehub /data
USER smehub
WORKDIR /home/smehub
ENV SME_HUB_ENV=production \
    SME_HUB_DATA_DIR=/data \
    PYTHONUNBUFFERED=1
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status != 200)"
ENTRYPOINT ["sme-hub"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
