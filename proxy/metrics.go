package proxy

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the proxy's Prometheus metrics. Build them with NewMetrics on
// the registry main owns.
type Metrics struct {
	ClientConnections      prometheus.Gauge
	ClientConnectionsTotal prometheus.Counter
	UpstreamConnectErrors  prometheus.Counter
	ProtocolErrors         *prometheus.CounterVec
	BytesClientToUpstream  prometheus.Counter
	BytesUpstreamToClient  prometheus.Counter
	CancelRequests         *prometheus.CounterVec
}

// Protocol error kinds, the values of softdelete_protocol_errors_total{kind}.
const (
	kindBadStartup    = "bad_startup"
	kindTooLarge      = "message_too_large"
	kindBadMessage    = "bad_message"
	kindUnexpectedEOF = "unexpected_eof"
	kindTLSHandshake  = "tls_handshake"
	kindUpstream      = "upstream"
	kindReplication   = "replication_refused"
)

// NewMetrics creates the metrics and registers them on reg (nil: not registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	bytes := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "softdelete_bytes_total",
		Help: "Bytes relayed by the proxy, by direction (client_to_upstream, upstream_to_client).",
	}, []string{"direction"})
	m := &Metrics{
		ClientConnections: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "softdelete_client_connections",
			Help: "Client connections currently open.",
		}),
		ClientConnectionsTotal: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "softdelete_client_connections_total",
			Help: "Client connections accepted.",
		}),
		UpstreamConnectErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "softdelete_upstream_connect_errors_total",
			Help: "Failed attempts to connect to the upstream PostgreSQL.",
		}),
		ProtocolErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "softdelete_protocol_errors_total",
			Help: "Connections ended by a protocol fault, by kind.",
		}, []string{"kind"}),
		BytesClientToUpstream: bytes.WithLabelValues("client_to_upstream"),
		BytesUpstreamToClient: bytes.WithLabelValues("upstream_to_client"),
		CancelRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "softdelete_cancel_requests_total",
			Help: "CancelRequests received, by result (forwarded, unknown_key, error).",
		}, []string{"result"}),
	}
	for _, k := range []string{kindBadStartup, kindTooLarge, kindBadMessage, kindUnexpectedEOF, kindTLSHandshake, kindUpstream, kindReplication} {
		m.ProtocolErrors.WithLabelValues(k)
	}
	for _, r := range []string{"forwarded", "unknown_key", "error"} {
		m.CancelRequests.WithLabelValues(r)
	}
	if reg != nil {
		reg.MustRegister(m.ClientConnections, m.ClientConnectionsTotal, m.UpstreamConnectErrors,
			m.ProtocolErrors, bytes, m.CancelRequests)
	}
	return m
}
