# pwproxy: built with the Rust toolchain, shipped on Debian slim.
FROM rust:1-bookworm AS build
WORKDIR /src
# The whole source tree (see .dockerignore): Cargo.toml names the test kit,
# the tests and the benchmarks, whose files cargo needs to read the manifest.
COPY . .
RUN cargo build --release --locked

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* && useradd --system pwproxy \
    && install -d -o pwproxy -m 0700 /var/lib/pwproxy
# The audit store's default file (audit.store = sqlite:/var/lib/pwproxy/audit.db).
VOLUME /var/lib/pwproxy
COPY --from=build /src/target/release/pwproxy /usr/local/bin/pwproxy
USER pwproxy
EXPOSE 8080
ENTRYPOINT ["pwproxy"]
CMD ["serve", "--config", "/etc/pwproxy/pwproxy.toml"]
