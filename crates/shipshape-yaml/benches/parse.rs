//! Parse throughput of a typical ~100-line Compose file (anchors, a merge key, comments, block
//! scalars, flow sequences), and of a `docker inspect`-sized JSON document.
//!
//! `cargo bench -p shipshape-yaml --bench parse`; criterion reports time per file. The
//! `saphyr_events_only` case is the floor: pulling saphyr's events without building a tree.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use shipshape_yaml::{Limits, parse};
use std::hint::black_box;

const COMPOSE: &str = r#"# Shop stack
name: shop

x-logging: &logging
  driver: json-file
  options:
    max-size: "10m"
    max-file: "3"

x-common: &common
  restart: unless-stopped
  logging: *logging
  security_opt:
    - no-new-privileges:true
  cap_drop: [ALL]

services:
  web:
    <<: *common
    image: nginx:1.25-alpine
    ports:
      - "80:80"
      - "443:443"
    volumes:
      - ./nginx.conf:/etc/nginx/nginx.conf:ro
      - static:/usr/share/nginx/html:ro
    depends_on:
      api:
        condition: service_healthy
    read_only: true
    tmpfs:
      - /var/cache/nginx
      - /var/run
    cap_add: [NET_BIND_SERVICE]

  api:
    <<: *common
    build:
      context: ./api
      dockerfile: Dockerfile
      args:
        NODE_ENV: production
    image: registry.example.com/shop/api:${API_TAG:-latest}
    user: "1000:1000"
    environment:
      DATABASE_URL: postgres://shop:${DB_PASSWORD}@db:5432/shop
      REDIS_URL: redis://cache:6379/0
      LOG_LEVEL: info
      FEATURE_FLAGS: "checkout,search"
    healthcheck:
      test: ["CMD", "wget", "-qO-", "http://localhost:3000/health"]
      interval: 30s
      timeout: 5s
      retries: 3
    deploy:
      resources:
        limits:
          cpus: "1.5"
          memory: 512M
    command: >
      node --max-old-space-size=384
      dist/server.js

  worker:
    <<: *common
    image: registry.example.com/shop/api:${API_TAG:-latest}
    command: ["node", "dist/worker.js"]
    environment:
      - QUEUE=default
      - CONCURRENCY=4
    privileged: false # shipshape: ignore=ISO002 -- explicit
    pids_limit: 256

  db:
    image: postgres:16
    restart: always
    environment:
      POSTGRES_USER: shop
      POSTGRES_PASSWORD_FILE: /run/secrets/db_password
    secrets:
      - db_password
    volumes:
      - db-data:/var/lib/postgresql/data
    shm_size: 256m
    healthcheck:
      test: |
        pg_isready -U shop -d shop
      interval: 10s

  cache:
    image: redis:7-alpine
    command: redis-server --save "" --appendonly no
    sysctls:
      net.core.somaxconn: 1024

volumes:
  static: {}
  db-data:

secrets:
  db_password:
    file: ./secrets/db_password.txt
"#;

fn bench(c: &mut Criterion) {
    let limits = Limits::default();
    let lines = COMPOSE.lines().count();
    assert!(parse(COMPOSE, &limits).errors.is_empty());
    let mut group = c.benchmark_group("yaml");
    group.throughput(Throughput::Elements(1));
    group.bench_function(format!("compose_{lines}_lines"), |b| b.iter(|| parse(black_box(COMPOSE), &limits)));
    // The floor: saphyr's events alone, without building anything.
    group.bench_function(format!("compose_{lines}_lines_saphyr_events_only"), |b| {
        b.iter(|| saphyr_parser::Parser::new_from_str(black_box(COMPOSE)).filter(Result::is_ok).count())
    });
    let json: String = format!(
        "[{}]",
        (0..20)
            .map(|i| format!(r#"{{"Id": "c{i}", "HostConfig": {{"Privileged": false, "CapAdd": ["NET_ADMIN"], "Memory": {i}}}, "Config": {{"Env": ["A=1", "B=2"], "User": ""}}}}"#))
            .collect::<Vec<_>>()
            .join(",\n")
    );
    assert!(parse(&json, &limits).errors.is_empty());
    group.bench_function("inspect_json_20_containers", |b| b.iter(|| parse(black_box(&json), &limits)));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
