// Package policy reads, validates and reloads the configuration file of
// softdelete-proxy: the proxy's own settings (listen, upstream, TLS,
// timeouts), the soft-delete policy (defaults, roles, tables) and the purge
// and audit settings. example.yaml in this directory shows every key.
//
// # Decoding
//
// Parse decodes the YAML into a yaml.Node tree first and walks it into a
// Config field by field (decode.go), starting from Default. Working on nodes
// keeps every key's line, so each problem becomes a *ConfigError
// "file:line: message": unknown keys anywhere (with a did-you-mean), values
// of the wrong shape, repeated keys. Aliases are followed; merge keys (<<)
// are refused. Then ${ENV} is expanded in purge.database_urls (env.go) and
// Validate checks the values (validate*.go, tablesettings.go): addresses,
// durations, TLS pairs, table names, identifiers, retention, on_truncate,
// purge. Everything is reported at once, sorted by line, as errors.Join.
//
// Table names are exactly schema.table. As in PostgreSQL, unquoted names
// are folded to lower case and quoted ones ("My Schema") are kept as
// written (ident.go), so Public.Deals and public.deals are the same table
// and listing both is an error. Column names follow the same rules.
//
// # Resolution
//
// A valid Config has Managed: the tables in file order with defaults
// applied (per-table fields override defaults, "forever" retention becomes
// 0). RewritePolicy turns Managed into the rewriter's immutable
// rewrite.Policy for one version.
//
// # Reload
//
// Store holds the current Snapshot (config, version, rewrite policy) behind
// an atomic pointer. Reload reads the file again and publishes the next
// version only if it is valid; a statement that already took a snapshot
// keeps it, new statements see the new one, and the version change
// invalidates rewrite caches keyed by it. Watch drives Reload from SIGHUP
// (the channel comes from main's signal.Notify) and optionally from polling
// the file's modification time. Reloads are counted by Metrics
// (softdelete_config_reloads_total{result},
// softdelete_config_last_reload_success_timestamp_seconds).
package policy
