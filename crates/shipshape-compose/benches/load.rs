//! Whole-pipeline throughput (YAML, interpolation, merge, typing into `Workload`s) on a typical
//! 10-service Compose file given as text, plus the same file with an override file from memory.
//!
//! `cargo bench -p shipshape-compose --bench load`; criterion reports elements/s, where an
//! element is one Compose project.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use shipshape_compose::{LoadOptions, MemFs, load_file_text, load_project};
use std::collections::HashMap;
use std::hint::black_box;

const TYPICAL: &str = r#"name: shop
x-defaults: &defaults
  restart: unless-stopped
  logging:
    driver: json-file
    options:
      max-size: "10m"
  security_opt:
    - no-new-privileges:true
  cap_drop: [ALL]

services:
  proxy:
    <<: *defaults
    image: traefik:v3.1
    ports:
      - "80:80"
      - "443:443"
      - "127.0.0.1:8080:8080"
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock:ro
      - ./traefik/traefik.yml:/etc/traefik/traefik.yml:ro
    networks: [front, back]
  web:
    <<: *defaults
    build:
      context: ./web
      dockerfile: Dockerfile
      target: runtime
    image: shop/web:${WEB_TAG:-latest}
    environment:
      NODE_ENV: production
      API_URL: http://api:8080
      SESSION_SECRET: ${SESSION_SECRET:?session secret}
    depends_on: [api]
    read_only: true
    tmpfs: [/tmp]
    networks: [front]
  api:
    <<: *defaults
    image: shop/api:${API_TAG:-1.4.2}
    user: "10001:10001"
    environment:
      - DATABASE_URL=postgres://shop:${DB_PASSWORD}@db:5432/shop
      - REDIS_URL=redis://cache:6379/0
      - LOG_LEVEL=${LOG_LEVEL:-info}
    healthcheck:
      test: ["CMD", "wget", "-qO-", "http://localhost:8080/health"]
      interval: 30s
    deploy:
      resources:
        limits:
          memory: 512M
          cpus: "1.5"
          pids: 200
    networks: [back]
  worker:
    <<: *defaults
    image: shop/api:${API_TAG:-1.4.2}
    command: ["worker", "--queues", "default,mail"]
    environment:
      DATABASE_URL: postgres://shop:${DB_PASSWORD}@db:5432/shop
    mem_limit: 256m
    pids_limit: 100
    networks: [back]
  scheduler:
    <<: *defaults
    image: shop/api:${API_TAG:-1.4.2}
    command: ["scheduler"]
    networks: [back]
  db:
    image: postgres:16-alpine
    environment:
      POSTGRES_USER: shop
      POSTGRES_PASSWORD: ${DB_PASSWORD}
      POSTGRES_DB: shop
    volumes:
      - db-data:/var/lib/postgresql/data
      - ./db/init.sql:/docker-entrypoint-initdb.d/init.sql:ro
    shm_size: 256m
    networks: [back]
  cache:
    image: redis:7-alpine
    command: ["redis-server", "--appendonly", "yes"]
    volumes:
      - type: volume
        source: cache-data
        target: /data
    sysctls:
      net.core.somaxconn: 1024
    networks: [back]
  mail:
    image: axllent/mailpit:v1.20
    ports: ["127.0.0.1:8025:8025"]
    profiles: [dev]
    networks: [back]
  monitor:
    image: gcr.io/cadvisor/cadvisor:v0.49.1
    privileged: true
    devices: [/dev/kmsg]
    volumes:
      - /:/rootfs:ro
      - /var/run:/var/run:ro
      - /sys:/sys:ro
      - /var/lib/docker/:/var/lib/docker:ro
    pid: host
    profiles: [ops]
    networks: [back]
  backup:
    image: shop/backup:2
    env_file:
      - path: backup.env
        required: false
    volumes:
      - db-data:/data:ro
      - ./backups:/backups
    cap_add: [DAC_READ_SEARCH]
    networks: [back]

networks:
  front: {}
  back:
    internal: true

volumes:
  db-data: {}
  cache-data: {}
"#;

const OVERRIDE: &str = r#"services:
  web:
    ports: ["3000:3000"]
    environment:
      NODE_ENV: development
    volumes:
      - ./web/src:/app/src
  api:
    ports: ["8081:8080"]
    environment:
      - LOG_LEVEL=debug
  db:
    ports: ["5432:5432"]
"#;

fn env() -> HashMap<String, String> {
    [("SESSION_SECRET", "s3cr3t"), ("DB_PASSWORD", "pw"), ("WEB_TAG", "2.0.1")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn bench(c: &mut Criterion) {
    let env = env();
    let loaded = load_file_text("shop/compose.yaml", TYPICAL, &env);
    assert!(
        loaded.diagnostics.is_empty(),
        "{:?}",
        loaded.diagnostics.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
    assert_eq!(loaded.deployment.as_ref().map(|d| d.workloads.len()), Some(10));

    let mut group = c.benchmark_group("compose");
    group.throughput(Throughput::Elements(1));
    group.bench_function("load_file_text/10-services", |b| {
        b.iter(|| black_box(load_file_text("shop/compose.yaml", black_box(TYPICAL), &env)));
    });
    group.bench_function("yaml-parse-only/10-services", |b| {
        b.iter(|| black_box(shipshape_yaml::parse(black_box(TYPICAL), &shipshape_yaml::Limits::default())));
    });
    let fs = MemFs::new().with("shop/compose.yaml", TYPICAL).with("shop/compose.override.yaml", OVERRIDE);
    group.bench_function("load_project/10-services+override", |b| {
        b.iter(|| {
            let options = LoadOptions::for_dir("shop").with_fs(&fs).with_env(env.clone());
            black_box(load_project(&options))
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
