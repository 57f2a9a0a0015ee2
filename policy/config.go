package policy

import "time"

// Config is the whole configuration file of softdelete-proxy: the proxy's own
// settings and the soft-delete policy. Obtain it from Load or Parse, which
// decode strictly and validate; constructors elsewhere take a *Config (or the
// parts they need) and may assume it is valid.
type Config struct {
	Listen string `yaml:"listen"` // default 127.0.0.1:6432
	// UnixSocketDir, when set, also serves clients on the Unix-domain
	// socket <dir>/.s.PGSQL.<port of listen>, as PostgreSQL names it.
	UnixSocketDir   string   `yaml:"unix_socket_dir"`
	Upstream        string   `yaml:"upstream"`         // default 127.0.0.1:5432
	MetricsListen   string   `yaml:"metrics_listen"`   // default 127.0.0.1:9187; "" or "off" disables
	LogLevel        string   `yaml:"log_level"`        // debug|info|warn|error, default info
	LogFormat       string   `yaml:"log_format"`       // json|console, default json
	ShutdownTimeout Duration `yaml:"shutdown_timeout"` // default 30s
	ConnectTimeout  Duration `yaml:"connect_timeout"`  // upstream dial timeout, default 10s
	MaxMessageSize  ByteSize `yaml:"max_message_size"` // default 64MiB; accepts 1048576, 64MiB, 512KiB
	// RequireGuard refuses statements on the managed tables of a database
	// whose guard (installed by migrate) is missing or stale; default true.
	RequireGuard bool `yaml:"require_guard"`
	// EventLoops is how many event loops relay sessions without TLS: 0 =
	// one per two cores, -1 = none (a goroutine per direction).
	EventLoops  int           `yaml:"event_loops"`
	TLS         TLS           `yaml:"tls"`
	UpstreamTLS UpstreamTLS   `yaml:"upstream_tls"`
	Defaults    TableSettings `yaml:"defaults"`
	Roles       Roles         `yaml:"roles"`
	// Tables maps "schema.table" to its settings; after Load, Managed holds
	// the resolved list (defaults applied) in file order.
	Tables  map[string]TableSettings `yaml:"tables"`
	Managed []Table                  `yaml:"-"`
	Purge   Purge                    `yaml:"purge"`
	Audit   Audit                    `yaml:"audit"`

	// Source is the file name given to Load or Parse ("" when built in code).
	Source string `yaml:"-"`

	// pos maps key paths ("upstream_tls.mode", "tables.public.deals") to
	// their line in Source; nil when built in code.
	pos map[string]int
	// unexpanded marks purge.database_urls entries whose ${ENV} expansion
	// failed (already reported).
	unexpanded map[int]bool
}

// TLS terminates client TLS at the proxy when both files are set.
type TLS struct {
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
}

// UpstreamTLS is how the proxy talks TLS to PostgreSQL, after libpq's sslmode.
type UpstreamTLS struct {
	Mode       string `yaml:"mode"`        // disable|prefer|require|verify-ca|verify-full; default prefer
	CAFile     string `yaml:"ca_file"`     // required for verify-ca and verify-full
	ServerName string `yaml:"server_name"` // default: host of upstream
	CertFile   string `yaml:"cert_file"`   // optional client certificate
	KeyFile    string `yaml:"key_file"`
}

// TableSettings are the per-table settings; every field left empty in a table
// inherits from defaults, and defaults inherit the built-in defaults. In a
// file, a table may write deleted_by_column, reason_column or hold_column as
// "" to turn off a column that defaults sets.
type TableSettings struct {
	Column          string `yaml:"column"`            // default deleted_at
	DeletedByColumn string `yaml:"deleted_by_column"` // default ""
	ReasonColumn    string `yaml:"reason_column"`     // default ""
	HoldColumn      string `yaml:"hold_column"`       // default "": rows with hold true are never purged
	Retention       string `yaml:"retention"`         // default 30d; "forever" never purges
	OnTruncate      string `yaml:"on_truncate"`       // deny|soft|hard, default deny
	OnKeyConflict   string `yaml:"on_key_conflict"`   // evict|refuse, default evict (docs/keys.md)
	// Exclude and WithColumn are for patterns (patterns.go): tables a
	// pattern does not take, and whether it takes only tables that have
	// the soft-delete column.
	Exclude    []string `yaml:"exclude"`
	WithColumn bool     `yaml:"with_column"`
	// Databases scopes the entry to these databases (by name); empty: all
	// (databases.go).
	Databases []string `yaml:"databases"`
	// LockColumn, CreatedColumn and PurgeAtColumn are optional (docs/trash.md):
	// a locked row cannot be deleted (boolean true, a "locked until"
	// timestamptz in the future, or a non-empty "locked by" text); the
	// creation time softdelete.as_of compares; the per-row purge date.
	LockColumn    string `yaml:"lock_column"`
	CreatedColumn string `yaml:"created_column"`
	PurgeAtColumn string `yaml:"purge_at_column"`
}

// Table is one managed table with its settings resolved.
type Table struct {
	Schema          string
	Name            string
	Column          string
	DeletedByColumn string
	ReasonColumn    string
	HoldColumn      string
	Retention       time.Duration // 0 means forever (never purged)
	OnTruncate      string        // deny|soft|hard
	OnKeyConflict   string        // evict|refuse
	Databases       []string      // the databases it is managed in; empty: all
	LockColumn      string        // "" for none
	CreatedColumn   string        // "" for none
	PurgeAtColumn   string        // "" for none
	// LockTest is the lock test over the table's columns (LockedExpr),
	// which depends on the lock column's type: filled by whoever read it
	// from the database (the purger and the trash commands); "" until then.
	LockTest string
	Line     int // line of the table's key in the file
}

// Roles lists PostgreSQL roles with special powers. Membership is by
// GRANT (recursively) of the session user, as the server's guard decides
// it: superusers are not members of everything here.
type Roles struct {
	HardDelete []string `yaml:"hard_delete"` // may delete forever from the trash
	Bypass     []string `yaml:"bypass"`      // sessions of these roles are never rewritten
	// Purge is the NOLOGIN role migrate creates for the purger (default
	// softdelete_purger): its members may delete trashed rows for good.
	Purge string `yaml:"purge"`
}

// Purge configures the purge loop.
type Purge struct {
	Enabled          bool     `yaml:"enabled"`
	Interval         Duration `yaml:"interval"`          // default 1h
	BatchSize        int      `yaml:"batch_size"`        // default 1000
	BatchPause       Duration `yaml:"batch_pause"`       // default 100ms
	StatementTimeout Duration `yaml:"statement_timeout"` // default 30s
	DatabaseURLs     []string `yaml:"database_urls"`     // ${ENV} expanded at load
}

// Audit configures the audit table written by trash operations and purges.
type Audit struct {
	Table string `yaml:"table"` // "schema.table"; "" = audit log lines only
}

// Duration is a time.Duration decoded from "30d", "12h", "90m", "100ms", "30s".
type Duration time.Duration

// ByteSize is a size in bytes decoded from 1048576, "64MiB", "512KiB", "1GiB".
type ByteSize int64
