# syntax=docker/dockerfile:1
# Multi-stage build. cgo is required: pg_query_go links PostgreSQL's parser.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=1 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" \
      -o /out/softdelete-proxy ./cmd/softdelete-proxy

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin softdelete
COPY --from=build /out/softdelete-proxy /usr/local/bin/softdelete-proxy
COPY policy/example.yaml /etc/softdelete-proxy/config.yaml
USER 10001:10001
EXPOSE 6432 9187
ENTRYPOINT ["/usr/local/bin/softdelete-proxy"]
CMD ["serve", "--config", "/etc/softdelete-proxy/config.yaml", "--listen", "0.0.0.0:6432", "--metrics-listen", "0.0.0.0:9187"]
