package policy

import (
	"context"
	"os"
	"time"

	"go.uber.org/zap"
)

// Watch reloads the store on every signal received on sighup (main wires
// signal.Notify for SIGHUP) and, when poll > 0, whenever the file's
// modification time or size differs from when it was last read and has
// stayed the same for one poll (an editor that truncates, then writes, is
// read once it is done), checked every poll (a broken file is retried only
// once it changes). Each outcome is
// logged; a failed reload keeps the current config. Watch returns when ctx
// is done; a closed sighup only stops signal reloads.
func (s *Store) Watch(ctx context.Context, sighup <-chan os.Signal, logger *zap.Logger, poll time.Duration) {
	if logger == nil {
		logger = zap.NewNop()
	}
	var tick <-chan time.Time
	var pending fileState // a change seen at the last poll
	if poll > 0 {
		t := time.NewTicker(poll)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-sighup:
			if !ok {
				sighup = nil
				continue
			}
			s.reloadAndLog(logger, "signal")
		case <-tick:
			switch st, changed := s.changed(); {
			case !changed:
				pending = fileState{}
			case st == pending:
				pending = fileState{}
				s.reloadAndLog(logger, "file change")
			default:
				pending = st // read it at the next poll if it stays so
			}
		}
	}
}

// fileState is what polling compares; the zero value means "unreadable".
type fileState struct {
	mod  time.Time
	size int64
}

func stat(path string) fileState {
	fi, err := os.Stat(path)
	if err != nil {
		return fileState{}
	}
	return fileState{mod: fi.ModTime(), size: fi.Size()}
}

func (s *Store) reloadAndLog(logger *zap.Logger, cause string) {
	old := s.Config()
	if err := s.Reload(); err != nil {
		logger.Error("config reload failed; keeping the current config",
			zap.String("cause", cause), zap.String("file", s.path),
			zap.Uint64("version", s.Version()), zap.Error(err))
		return
	}
	cur := s.Current()
	logger.Info("config reloaded", zap.String("cause", cause), zap.String("file", s.path),
		zap.Uint64("version", cur.Version), zap.Int("tables", len(cur.Config.Managed)))
	if keys := RestartNeeded(old, cur.Config); len(keys) > 0 {
		logger.Warn("changed settings take effect only after a restart", zap.Strings("keys", keys))
	}
}

// RestartNeeded lists the keys that differ between old and new and that a
// running process cannot apply: its listeners, logging, TLS and the
// upstream connection settings (the proxy is built from them at start).
func RestartNeeded(old, new *Config) []string {
	var keys []string
	add := func(key string, changed bool) {
		if changed {
			keys = append(keys, key)
		}
	}
	add("listen", old.Listen != new.Listen)
	add("unix_socket_dir", old.UnixSocketDir != new.UnixSocketDir)
	add("event_loops", old.EventLoops != new.EventLoops)
	add("metrics_listen", old.MetricsListen != new.MetricsListen)
	add("log_level", old.LogLevel != new.LogLevel)
	add("log_format", old.LogFormat != new.LogFormat)
	add("tls", old.TLS != new.TLS)
	add("upstream", old.Upstream != new.Upstream)
	add("upstream_tls", old.UpstreamTLS != new.UpstreamTLS)
	add("connect_timeout", old.ConnectTimeout != new.ConnectTimeout)
	add("max_message_size", old.MaxMessageSize != new.MaxMessageSize)
	add("shutdown_timeout", old.ShutdownTimeout != new.ShutdownTimeout)
	return keys
}
