package policy

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

// Snapshot is one loaded configuration with its version and the rewrite
// policy built from it. It is immutable: statements that started with a
// snapshot keep it while a reload publishes the next one.
type Snapshot struct {
	Config  *Config
	Version uint64 // 1 for the first load, +1 for each successful reload
	Policy  *rewrite.Policy
}

// StoreOptions are the optional parts of a Store.
type StoreOptions struct {
	Metrics *Metrics // nil: not counted
	// Adjust changes every loaded config before it is validated, e.g. to
	// apply command-line flags that override the file.
	Adjust func(*Config)
	// Now is the clock for the last-success metric; nil is time.Now.
	Now func() time.Time
}

// Store holds the current configuration of a running process and swaps it
// atomically on Reload.
type Store struct {
	path string
	opts StoreOptions
	cur  atomic.Pointer[Snapshot]

	mu    sync.Mutex // serialises Reload and hook registration; guards seen
	hooks []func(*Config, uint64)
	seen  fileState // the file as of the last load attempt, for polling
}

// NewStore loads path (with opts.Adjust applied) as version 1.
func NewStore(path string, opts StoreOptions) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Store{path: path, opts: opts}
	c, err := s.load()
	if err != nil {
		return nil, err
	}
	s.publish(c, 1)
	return s, nil
}

// Path is the file the store reloads.
func (s *Store) Path() string { return s.path }

// Current returns the current snapshot; never nil.
func (s *Store) Current() *Snapshot { return s.cur.Load() }

// Config returns the current configuration. Treat it as read-only.
func (s *Store) Config() *Config { return s.cur.Load().Config }

// Policy returns the current rewrite policy.
func (s *Store) Policy() *rewrite.Policy { return s.cur.Load().Policy }

// Version returns the current version.
func (s *Store) Version() uint64 { return s.cur.Load().Version }

// OnChange registers fn to be called, in order, after each successful
// Reload with the new config and version (not for the first load: read
// Current for that). Hooks run on the reloading goroutine while further
// reloads wait: keep them short, and do not call Reload or OnChange from one.
func (s *Store) OnChange(fn func(*Config, uint64)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks = append(s.hooks, fn)
}

// Reload loads the file again. A valid file becomes the next version and
// the hooks run; an invalid one leaves the current snapshot in place and
// its error is returned. Both outcomes are counted.
func (s *Store) Reload() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.load()
	if err == nil && s.seen.size == 0 {
		// a file being written (truncated, not yet filled), or emptied by
		// mistake: reloading it would unmanage every table
		err = fmt.Errorf("%s is empty: the current config is kept (an empty file is only read at start)", s.path)
	}
	if m := s.opts.Metrics; m != nil {
		result := "success"
		if err != nil {
			result = "failure"
		}
		m.Reloads.WithLabelValues(result).Inc()
	}
	if err != nil {
		return err
	}
	v := s.cur.Load().Version + 1
	s.publish(c, v)
	for _, fn := range s.hooks {
		fn(c, v)
	}
	return nil
}

// load reads the file; the caller holds mu (or owns s).
func (s *Store) load() (*Config, error) {
	s.seen = stat(s.path)
	return load(s.path, options{env: os.LookupEnv, adjust: s.opts.Adjust})
}

// changed returns the file's state and whether it differs from the last
// load attempt.
func (s *Store) changed() (fileState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := stat(s.path)
	return st, st != s.seen
}

func (s *Store) publish(c *Config, v uint64) {
	s.cur.Store(&Snapshot{Config: c, Version: v, Policy: c.RewritePolicy(v)})
	if m := s.opts.Metrics; m != nil {
		m.LastSuccess.Set(float64(s.opts.Now().UnixNano()) / 1e9)
	}
}
