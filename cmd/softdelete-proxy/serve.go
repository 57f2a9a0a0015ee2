package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
	"github.com/softdelete-proxy/softdelete-proxy/proxy"
)

const serveUsage = `serve [--config FILE] [flags]

Runs the proxy. Settings come from the config file; --print-example-config
prints one with every key and its default (the Docker image has it as
/etc/softdelete-proxy/config.yaml). The flags below override the file.
SIGHUP reloads the file (the policy takes effect for new statements; listen
addresses need a restart). SIGTERM or SIGINT stop accepting, let sessions
finish their transactions for up to shutdown_timeout, then close the rest.`

// serveFlags are the command-line overrides of serve.
type serveFlags struct {
	config        string
	listen        string
	upstream      string
	metricsListen string
	logLevel      string
	logFormat     string
	printExample  bool
	set           map[string]bool
}

func (f *serveFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.config, "config", "", "config `file` (YAML); without it the built-in defaults apply")
	fs.StringVar(&f.listen, "listen", "", "`address` for clients (default 127.0.0.1:6432)")
	fs.StringVar(&f.upstream, "upstream", "", "`host:port` of PostgreSQL (default 127.0.0.1:5432)")
	fs.StringVar(&f.metricsListen, "metrics-listen", "", "`address` for /metrics, /healthz, /readyz (default 127.0.0.1:9187; \"off\" disables)")
	fs.StringVar(&f.logLevel, "log-level", "", "`level`: debug, info, warn or error (default info)")
	fs.StringVar(&f.logFormat, "log-format", "", "`format`: json or console (default json)")
	fs.BoolVar(&f.printExample, "print-example-config", false, "print an example config file with every key and its default, and exit")
}

// adjust applies the flags that were given to c.
func (f *serveFlags) adjust(c *policy.Config) {
	if f.set["listen"] {
		c.Listen = f.listen
	}
	if f.set["upstream"] {
		c.Upstream = f.upstream
	}
	if f.set["metrics-listen"] {
		c.MetricsListen = f.metricsListen
	}
	if f.set["log-level"] {
		c.LogLevel = f.logLevel
	}
	if f.set["log-format"] {
		c.LogFormat = f.logFormat
	}
}

func serveCommand(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	var f serveFlags
	fs := newFlagSet("serve", serveUsage, stderr)
	f.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if f.printExample {
		_, err := io.WriteString(stdout, policy.Example())
		return err
	}
	f.set = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })

	reg := newRegistry()
	src, err := openConfig(f.config, f.adjust, policy.NewMetrics(reg))
	if err != nil {
		return err
	}
	cfg := src.Config()
	log, err := newLogger(cfg.LogLevel, cfg.LogFormat, stderr)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	return serve(ctx, src, reg, log)
}

// serve runs the proxy until ctx is cancelled, then shuts it down.
func serve(ctx context.Context, src configSource, reg *prometheus.Registry, log *zap.Logger) error {
	cfg := src.Config()
	pcfg, err := proxyConfig(cfg, log, proxy.NewMetrics(reg))
	if err != nil {
		return err
	}
	pcfg.Rewriting = rewriting(src, reg, log)
	srv := proxy.New(pcfg)
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("cannot listen for clients on %s (setting listen): %w", cfg.Listen, err)
	}
	var unixLn net.Listener
	if cfg.UnixSocketDir != "" {
		if unixLn, err = listenUnix(cfg.UnixSocketDir, ln.Addr().String()); err != nil {
			ln.Close()
			return err
		}
	}
	httpSrv, err := startHTTP(cfg.MetricsListen, reg, pgPing(cfg.Upstream, pingTimeout), log)
	if err != nil {
		ln.Close()
		if unixLn != nil {
			unixLn.Close()
		}
		return err
	}
	stopWatch := watchReloads(ctx, src, log)
	defer stopWatch()
	stopPurge := startPurger(src, reg, log)
	defer stopPurge()
	go reportGuards(ctx, cfg, log)

	serveErr := make(chan error, 2)
	go func() { serveErr <- srv.Serve(ln) }()
	if unixLn != nil {
		go func() { serveErr <- srv.Serve(unixLn) }()
		log.Info("softdelete-proxy listening on a Unix socket", zap.String("socket", unixLn.Addr().String()))
	}
	log.Info("softdelete-proxy listening", zap.String("listen", ln.Addr().String()),
		zap.String("upstream", cfg.Upstream), zap.String("metrics_listen", cfg.MetricsListen),
		zap.Int("managed_tables", len(cfg.Managed)))

	select {
	case err := <-serveErr:
		shutdownHTTP(httpSrv)
		return fmt.Errorf("accepting clients on %s: %w", cfg.Listen, err)
	case <-ctx.Done():
	}
	stopPurge()
	timeout := cfg.ShutdownTimeout.Std()
	log.Info("shutting down: no new connections; waiting for sessions to finish", zap.Duration("shutdown_timeout", timeout),
		zap.Int("sessions", srv.Sessions()))
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("shutdown timeout reached; remaining sessions were closed", zap.Error(err))
	}
	<-serveErr
	if unixLn != nil {
		<-serveErr
	}
	shutdownHTTP(httpSrv)
	log.Info("softdelete-proxy stopped")
	return nil
}

// watchReloads reloads the config on SIGHUP until ctx ends.
func watchReloads(ctx context.Context, src configSource, log *zap.Logger) func() {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	wctx, cancel := context.WithCancel(ctx)
	go src.Watch(wctx, hup, log)
	return func() {
		signal.Stop(hup)
		cancel()
	}
}

func shutdownHTTP(s *http.Server) {
	if s == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		_ = s.Close()
	}
}
