package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
	"github.com/softdelete-proxy/softdelete-proxy/purger"
)

const purgeUsage = `purge --config FILE [--dry-run] [--database-url URL] [--format table|json]

Runs one purge pass, as the loop inside serve does each purge.interval: in each
database of purge.database_urls (or only --database-url), if no other instance
holds the purge lock, deletes for good the trashed rows past their table's
retention that are not on hold, in batches of purge.batch_size, then the
table's records in softdelete.evicted (rows key eviction deleted) as old,
held ones kept (EVICTED). For cron.
--dry-run takes no lock and deletes nothing; it prints what a pass would purge.
Exits 1 when a database or table failed.`

// purgeFlags are the flags of the purge command.
type purgeFlags struct {
	config      string
	dryRun      bool
	databaseURL string
	format      string
}

func purgeCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f purgeFlags
	fs := newFlagSet("purge", purgeUsage, stderr)
	fs.StringVar(&f.config, "config", "", "config `file` with the policy and the purge section (required)")
	fs.BoolVar(&f.dryRun, "dry-run", false, "count what would be purged; delete nothing")
	fs.StringVar(&f.databaseURL, "database-url", "", "purge only the database at this `URL` instead of purge.database_urls")
	fs.StringVar(&f.format, "format", purger.FormatTable, "output `format`: table or json")
	if _, err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	if err := requireConfigAndFormat(fs, f.config, f.format); err != nil {
		return err
	}
	cfg, log, err := loadForPurge(f.config, stderr)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	opts := purgeOptions(cfg)
	if f.databaseURL != "" {
		opts.DatabaseURLs = []string{f.databaseURL}
	}
	if len(opts.DatabaseURLs) == 0 {
		return fmt.Errorf("nothing to purge: set purge.database_urls in %s or give --database-url", f.config)
	}
	p := purger.New(opts, cfg.Managed, nil, log, time.Now)
	defer p.Close()
	rep, passErr := p.PassOnce(ctx, f.dryRun)
	if err := purger.WriteReport(stdout, rep, f.format); err != nil {
		return err
	}
	return passErr
}

// loadForPurge loads the config file and builds the logger it asks for
// (audit lines and errors go to stderr).
func loadForPurge(path string, stderr io.Writer) (*policy.Config, *zap.Logger, error) {
	cfg, err := policy.Load(path)
	if err != nil {
		return nil, nil, err
	}
	log, err := newLogger(cfg.LogLevel, cfg.LogFormat, stderr)
	if err != nil {
		return nil, nil, err
	}
	return cfg, log, nil
}

// requireConfigAndFormat checks the flags every purge and trash command has.
func requireConfigAndFormat(fs *flag.FlagSet, config, format string) error {
	if config == "" {
		fmt.Fprintln(fs.Output(), "--config is required")
		fs.Usage()
		return errUsage
	}
	if format != purger.FormatTable && format != purger.FormatJSON {
		fmt.Fprintf(fs.Output(), "--format %q: use table or json\n", format)
		return errUsage
	}
	return nil
}

// parseArgs parses flags placed before, between or after the positional
// arguments (the standard package stops at the first of them), and checks
// that there are exactly want of them (want -1: at most one).
func parseArgs(fs *flag.FlagSet, args []string, want int) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, flagHelp
			}
			return nil, errUsage
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	if want < 0 && len(pos) <= 1 {
		return pos, nil
	}
	if want < 0 {
		want = 1
	}
	if len(pos) != want {
		if len(pos) > want {
			fmt.Fprintf(fs.Output(), "unexpected argument %q\n", pos[want])
		} else {
			fmt.Fprintln(fs.Output(), "missing argument")
		}
		fs.Usage()
		return nil, errUsage
	}
	return pos, nil
}

// databaseURL picks the database of the trash commands: --database-url,
// then $DATABASE_URL, then the first of purge.database_urls.
func databaseURL(flagValue string, cfg *policy.Config) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if u := os.Getenv("DATABASE_URL"); u != "" {
		return u, nil
	}
	if len(cfg.Purge.DatabaseURLs) > 0 {
		return cfg.Purge.DatabaseURLs[0], nil
	}
	return "", errors.New("no database: give --database-url, set DATABASE_URL, or list purge.database_urls in the config")
}

// openDB connects to the database the command works on: --database-url,
// then $DATABASE_URL, then the first of purge.database_urls.
func openDB(ctx context.Context, flagValue string, cfg *policy.Config) (*pgx.Conn, error) {
	url, err := databaseURL(flagValue, cfg)
	if err != nil {
		return nil, err
	}
	return connectDB(ctx, url)
}

// connectDB connects to url, saying which database failed without its password.
func connectDB(ctx context.Context, url string) (*pgx.Conn, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("connecting to the database: %w", err)
	}
	return conn, nil
}

// durationValue is a flag.Value for durations that also accepts days ("30d").
type durationValue struct{ d *time.Duration }

func (v durationValue) String() string {
	if v.d == nil {
		return "0s"
	}
	return v.d.String()
}

func (v durationValue) Set(s string) error {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		var days int64
		if _, err := fmt.Sscanf(n, "%d", &days); err == nil && fmt.Sprint(days) == n && days >= 0 {
			*v.d = time.Duration(days) * 24 * time.Hour
			return nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return fmt.Errorf("want a duration such as 30d, 12h or 90m")
	}
	*v.d = d
	return nil
}
