# Production-like image: hailong built from source, run against PostgreSQL.
FROM rust:1.95-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs ./
COPY src src
COPY migrations migrations
RUN cargo build --release --locked

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 ca-certificates && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /app hailong \
    && mkdir -p /app/data && chown hailong /app/data
WORKDIR /app
COPY --from=build /src/target/release/hailong /usr/local/bin/hailong
COPY survey-definitions survey-definitions
USER hailong
# /app/data keeps the generated session key (unless HAILONG_SESSION_KEY is set).
ENV HAILONG_BIND=0.0.0.0:8080 HAILONG_DEFINITIONS=/app/survey-definitions
VOLUME /app/data
EXPOSE 8080
CMD ["hailong", "serve"]
