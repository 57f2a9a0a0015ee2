package proxy

import (
	"net"

	"github.com/prometheus/client_golang/prometheus"
)

// countingConn counts the bytes read from a connection, in a metric and
// in n (which only the reading goroutine touches).
type countingConn struct {
	net.Conn
	read prometheus.Counter
	n    int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.read.Add(float64(n))
		c.n += int64(n)
	}
	return n, err
}
