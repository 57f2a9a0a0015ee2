package policy

import (
	"net"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Validate checks c and returns every problem at once (an errors.Join of
// *ConfigError, with lines when c came from Load or Parse). It does not
// touch the file system: certificate files are read by their users.
func (c *Config) Validate() error {
	p := &problems{file: c.Source, pos: c.pos}
	c.check(p)
	return join(p.list)
}

func (c *Config) check(p *problems) {
	c.checkProcess(p)
	c.checkTLS(p)
	c.checkPolicy(p)
	c.checkPurge(p)
}

func (c *Config) checkProcess(p *problems) {
	checkAddr(p, "listen", c.Listen, true)
	if c.UnixSocketDir != "" && !filepath.IsAbs(c.UnixSocketDir) {
		p.add([]string{"unix_socket_dir"}, "unix_socket_dir: must be an absolute directory, got %q", c.UnixSocketDir)
	}
	checkAddr(p, "upstream", c.Upstream, false)
	if c.EventLoops < -1 {
		p.add([]string{"event_loops"}, "event_loops: 0 (one per two cores), -1 (none) or a count, got %d", c.EventLoops)
	}
	if c.MetricsListen != "" && c.MetricsListen != "off" {
		checkAddr(p, "metrics_listen", c.MetricsListen, true)
	}
	oneOf(p, "log_level", c.LogLevel, "debug", "info", "warn", "error")
	oneOf(p, "log_format", c.LogFormat, "json", "console")
	if c.ShutdownTimeout < 0 {
		p.add([]string{"shutdown_timeout"}, "shutdown_timeout: must not be negative")
	}
	if c.ConnectTimeout <= 0 {
		p.add([]string{"connect_timeout"}, "connect_timeout: must be positive")
	}
	if c.MaxMessageSize < 1<<10 || c.MaxMessageSize > 1<<30 {
		p.add([]string{"max_message_size"}, "max_message_size: %s is outside 1KiB…1GiB", c.MaxMessageSize)
	}
}

// checkAddr checks a host:port; listeners may use port 0 and an empty host.
func checkAddr(p *problems, key, addr string, listener bool) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		p.add([]string{key}, "%s: %q is not host:port (e.g. 127.0.0.1:5432)", key, addr)
		return
	}
	n, err := strconv.ParseUint(port, 10, 16)
	switch {
	case err != nil:
		p.add([]string{key}, "%s: bad port %q", key, port)
	case !listener && (n == 0 || host == ""):
		p.add([]string{key}, "%s: %q needs a host and a port above 0", key, addr)
	}
}

func oneOf(p *problems, path, v string, allowed ...string) {
	if !slices.Contains(allowed, v) {
		p.add([]string{path}, "%s: %q is not one of %s", path, v, strings.Join(allowed, ", "))
	}
}

func (c *Config) checkTLS(p *problems) {
	if (c.TLS.CertFile == "") != (c.TLS.KeyFile == "") {
		p.add([]string{"tls.cert_file", "tls.key_file", "tls"}, "tls: cert_file and key_file go together (set both or neither)")
	}
	u := c.UpstreamTLS
	oneOf(p, "upstream_tls.mode", u.Mode, "disable", "prefer", "require", "verify-ca", "verify-full")
	if (u.Mode == "verify-ca" || u.Mode == "verify-full") && u.CAFile == "" {
		p.add([]string{"upstream_tls.ca_file", "upstream_tls.mode"}, "upstream_tls: mode %s needs ca_file", u.Mode)
	}
	if (u.CertFile == "") != (u.KeyFile == "") {
		p.add([]string{"upstream_tls.cert_file", "upstream_tls.key_file", "upstream_tls"}, "upstream_tls: cert_file and key_file go together (set both or neither)")
	}
}

func (c *Config) checkPurge(p *problems) {
	g := c.Purge
	if g.Interval <= 0 {
		p.add([]string{"purge.interval"}, "purge.interval: must be positive")
	}
	if g.BatchSize < 1 {
		p.add([]string{"purge.batch_size"}, "purge.batch_size: must be at least 1, got %d", g.BatchSize)
	}
	if g.BatchPause < 0 || g.StatementTimeout < 0 {
		p.add([]string{"purge.batch_pause", "purge.statement_timeout"}, "purge: batch_pause and statement_timeout must not be negative")
	}
	if g.Enabled && len(g.DatabaseURLs) == 0 {
		p.add([]string{"purge.database_urls", "purge.enabled"}, "purge: enabled needs at least one entry in database_urls")
	}
	for i, u := range g.DatabaseURLs {
		path := "purge.database_urls[" + strconv.Itoa(i) + "]"
		if !c.unexpanded[i] && !connString(u) {
			p.add([]string{path, "purge.database_urls"}, "%s: not a postgres:// URL or a key=value connection string", path)
		}
	}
	if c.Audit.Table != "" {
		if _, err := ParseTableName(c.Audit.Table); err != nil {
			p.add([]string{"audit.table"}, "audit.table: %v", err)
		}
	}
}

// connString accepts what pgx.ParseConfig does, loosely: a postgres URL or
// a keyword/value string. The text is never echoed (it may hold a password).
func connString(s string) bool {
	if strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://") {
		_, err := url.Parse(s)
		return err == nil
	}
	return strings.Contains(s, "=")
}
