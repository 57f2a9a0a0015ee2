package policy

import (
	"reflect"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Helpers that name things in messages: node kinds, key paths, sections.

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "nothing"
		}
		return strconv.Quote(n.Value)
	}
	return "something else"
}

// yamlFields maps the yaml keys of struct type t to field indexes.
func yamlFields(t reflect.Type) map[string]int {
	m := make(map[string]int, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if tag != "" && tag != "-" && t.Field(i).IsExported() {
			m[tag] = i
		}
	}
	return m
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// where names the section of path for messages: "at top level", "in
// upstream_tls", "in table public.deals".
func where(path string) string {
	switch {
	case path == "":
		return "at top level"
	case strings.HasPrefix(path, "tables."):
		return "in table " + strings.TrimPrefix(path, "tables.")
	}
	return "in " + path
}

func describe(path string) string {
	if path == "" {
		return "top level"
	}
	if strings.HasPrefix(path, "tables.") {
		return "table " + strings.TrimPrefix(path, "tables.")
	}
	return path
}
