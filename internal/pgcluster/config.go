package pgcluster

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// writeConfig writes pg_hba.conf and appends the cluster's settings to postgresql.conf
// (later lines win, so opts.Settings can override the defaults here).
func (c *Cluster) writeConfig(opts Options) error {
	hba := opts.HBA
	if len(hba) == 0 {
		hba = defaultHBA
	}
	lines := append([]string{"local all postgres trust"}, hba...)
	if err := writeFile(filepath.Join(c.dataDir(), "pg_hba.conf"), lines, false); err != nil {
		return err
	}
	return writeFile(filepath.Join(c.dataDir(), "postgresql.conf"), c.settings(opts), true)
}

// settings returns the postgresql.conf lines for opts, fast and unsafe defaults first.
func (c *Cluster) settings(opts Options) []string {
	set := [][2]string{
		{"listen_addresses", "127.0.0.1"},
		{"unix_socket_directories", c.Dir},
		{"fsync", "off"},
		{"synchronous_commit", "off"},
		{"full_page_writes", "off"},
		{"max_connections", "200"},
		{"shared_buffers", "32MB"},
	}
	if opts.SSL {
		set = append(set,
			[2]string{"ssl", "on"},
			[2]string{"ssl_cert_file", c.Certs.CertFile},
			[2]string{"ssl_key_file", c.Certs.KeyFile},
			[2]string{"ssl_ca_file", c.Certs.CAFile})
	}
	for _, k := range slices.Sorted(maps.Keys(opts.Settings)) {
		set = append(set, [2]string{k, opts.Settings[k]})
	}
	lines := []string{"", "# added by pgcluster"}
	for _, kv := range set {
		lines = append(lines, fmt.Sprintf("%s = '%s'", kv[0], strings.ReplaceAll(kv[1], "'", "''")))
	}
	return lines
}

// writeFile writes (or appends) lines to an existing file, keeping its owner and mode.
func writeFile(path string, lines []string, appendTo bool) error {
	flag := os.O_WRONLY | os.O_TRUNC
	if appendTo {
		flag = os.O_WRONLY | os.O_APPEND
	}
	f, err := os.OpenFile(path, flag, 0)
	if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	_, werr := f.WriteString(strings.Join(lines, "\n") + "\n")
	cerr := f.Close()
	if werr != nil || cerr != nil {
		return fmt.Errorf("pgcluster: writing %s: %v %v", path, werr, cerr)
	}
	return nil
}
