package main

import (
	"context"
	"os"

	"go.uber.org/zap"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

// configSource is where serve gets its configuration: a file that SIGHUP
// reloads (*policy.Store), or the built-in defaults when no file is given.
type configSource interface {
	Current() *policy.Snapshot
	Config() *policy.Config
	Watch(ctx context.Context, sighup <-chan os.Signal, log *zap.Logger)
	OnChange(fn func(*policy.Config, uint64))
}

type fileSource struct{ *policy.Store }

func (f fileSource) Watch(ctx context.Context, sighup <-chan os.Signal, log *zap.Logger) {
	f.Store.Watch(ctx, sighup, log, 0)
}

// staticSource is the built-in defaults adjusted by flags; SIGHUP has
// nothing to reload.
type staticSource struct{ snap *policy.Snapshot }

func (s staticSource) Current() *policy.Snapshot { return s.snap }
func (s staticSource) Config() *policy.Config    { return s.snap.Config }

func (s staticSource) OnChange(func(*policy.Config, uint64)) {}
func (s staticSource) Watch(ctx context.Context, sighup <-chan os.Signal, log *zap.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-sighup:
			log.Info("SIGHUP ignored: serve was started without --config, there is no file to reload")
		}
	}
}

// openConfig loads path (or the defaults when path is ""), applies adjust
// (the command-line overrides) and validates (Resolve validates).
func openConfig(path string, adjust func(*policy.Config), m *policy.Metrics) (configSource, error) {
	if path != "" {
		st, err := policy.NewStore(path, policy.StoreOptions{Metrics: m, Adjust: adjust})
		if err != nil {
			return nil, err
		}
		return fileSource{st}, nil
	}
	c := policy.Default()
	adjust(c)
	if err := c.Resolve(); err != nil {
		return nil, err
	}
	return staticSource{&policy.Snapshot{Config: c, Version: 1, Policy: c.RewritePolicy(1)}}, nil
}
