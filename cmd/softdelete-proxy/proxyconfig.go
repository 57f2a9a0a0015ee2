package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"

	"go.uber.org/zap"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
	"github.com/softdelete-proxy/softdelete-proxy/proxy"
)

// proxyConfig turns the validated file settings into a proxy.Config,
// reading the certificate files.
func proxyConfig(c *policy.Config, log *zap.Logger, m *proxy.Metrics) (proxy.Config, error) {
	pc := proxy.Config{
		Upstream:       c.Upstream,
		ConnectTimeout: c.ConnectTimeout.Std(),
		MaxMessageSize: c.MaxMessageSize.Int(),
		EventLoops:     c.EventLoops,
		Logger:         log,
		Metrics:        m,
	}
	if c.TLS.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(c.TLS.CertFile, c.TLS.KeyFile)
		if err != nil {
			return pc, fmt.Errorf("tls.cert_file/tls.key_file: %w", err)
		}
		pc.ClientTLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	up, err := upstreamTLS(c)
	if err != nil {
		return pc, err
	}
	pc.UpstreamTLS = up
	return pc, nil
}

func upstreamTLS(c *policy.Config) (proxy.UpstreamTLS, error) {
	u := c.UpstreamTLS
	out := proxy.UpstreamTLS{Mode: proxy.SSLMode(u.Mode)}
	cfg := &tls.Config{ServerName: u.ServerName}
	if cfg.ServerName == "" {
		host, _, err := net.SplitHostPort(c.Upstream)
		if err == nil {
			cfg.ServerName = host
		}
	}
	if u.CAFile != "" {
		pem, err := os.ReadFile(u.CAFile)
		if err != nil {
			return out, fmt.Errorf("upstream_tls.ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return out, fmt.Errorf("upstream_tls.ca_file %s: no PEM certificates found", u.CAFile)
		}
		cfg.RootCAs = pool
	}
	if u.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(u.CertFile, u.KeyFile)
		if err != nil {
			return out, fmt.Errorf("upstream_tls.cert_file/key_file: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	out.Config = cfg
	return out, nil
}
