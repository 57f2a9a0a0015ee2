package policy

import (
	"bytes"
	"errors"
	"io"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"
)

// DefaultPurgeRole is roles.purge when the file does not set it.
const DefaultPurgeRole = "softdelete_purger"

// Default returns the built-in configuration: what an empty file means.
func Default() *Config {
	return &Config{
		Listen:          "127.0.0.1:6432",
		Upstream:        "127.0.0.1:5432",
		MetricsListen:   "127.0.0.1:9187",
		LogLevel:        "info",
		LogFormat:       "json",
		ShutdownTimeout: Duration(30 * time.Second),
		ConnectTimeout:  Duration(10 * time.Second),
		MaxMessageSize:  64 << 20,
		RequireGuard:    true,
		UpstreamTLS:     UpstreamTLS{Mode: "prefer"},
		Defaults:        TableSettings{Column: "deleted_at", Retention: "30d", OnTruncate: "deny", OnKeyConflict: "evict"},
		Roles:           Roles{Purge: DefaultPurgeRole},
		Tables:          map[string]TableSettings{},
		Purge: Purge{
			Interval:         Duration(time.Hour),
			BatchSize:        1000,
			BatchPause:       Duration(100 * time.Millisecond),
			StatementTimeout: Duration(30 * time.Second),
		},
	}
}

// Load reads the file at path and returns it decoded and validated (see
// Parse). Errors name path and the line.
func Load(path string) (*Config, error) {
	return load(path, options{env: os.LookupEnv})
}

// Parse decodes data strictly on top of Default, expands ${ENV} in
// purge.database_urls, validates the result and resolves Managed. name is
// used in messages and as Source. Every problem is reported at once as an
// errors.Join of *ConfigError.
func Parse(name string, data []byte) (*Config, error) {
	return parse(name, data, options{env: os.LookupEnv})
}

// options are the seams of parse.
type options struct {
	env lookupEnv
	// adjust, when set, changes the decoded config before it is validated
	// (command-line flags that override the file).
	adjust func(*Config)
}

func load(path string, o options) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, errors.Join(&ConfigError{File: path, Msg: err.Error()})
	}
	return parse(path, data, o)
}

func parse(name string, data []byte, o options) (*Config, error) {
	c := Default()
	c.Source = name
	c.pos = map[string]int{}
	p := &problems{file: name, pos: c.pos}
	if root := readYAML(data, p); root != nil {
		d := &decoder{p: p}
		d.structure(root, reflect.ValueOf(c).Elem(), "")
	}
	c.expandURLs(p, o.env)
	if o.adjust != nil {
		o.adjust(c)
	}
	c.check(p)
	if err := join(p.list); err != nil {
		return nil, err
	}
	c.Managed = c.resolveTables()
	return c, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// readYAML parses data into its single document's root node; nil when the
// file is empty or broken (reported in p).
func readYAML(data []byte, p *problems) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err != io.EOF {
			syntaxError(p, err)
		}
		return nil
	}
	var next yaml.Node
	if err := dec.Decode(&next); err != io.EOF {
		if err != nil {
			syntaxError(p, err)
		} else {
			p.at(next.Line, "a second YAML document (---): the file must hold one")
		}
	}
	if len(doc.Content) == 0 {
		return nil
	}
	return doc.Content[0]
}

func syntaxError(p *problems, err error) {
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		p.at(line, "YAML syntax: %s", m[2])
		return
	}
	msg := err.Error()
	if len(msg) > 6 && msg[:6] == "yaml: " {
		msg = msg[6:]
	}
	p.at(0, "YAML syntax: %s", msg)
}

// expandURLs expands ${ENV} in purge.database_urls.
func (c *Config) expandURLs(p *problems, env lookupEnv) {
	for i, u := range c.Purge.DatabaseURLs {
		v, err := expandEnv(u, env)
		if err != nil {
			path := "purge.database_urls[" + strconv.Itoa(i) + "]"
			p.add([]string{path, "purge.database_urls"}, "%s: %v", path, err)
			if c.unexpanded == nil {
				c.unexpanded = map[int]bool{}
			}
			c.unexpanded[i] = true
			continue
		}
		c.Purge.DatabaseURLs[i] = v
	}
}
