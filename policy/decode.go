package policy

import (
	"reflect"
	"strconv"

	"gopkg.in/yaml.v3"
)

// decoder walks the YAML node tree into a Config field by field, so that
// every unknown key and every bad value is reported with its line, and
// records the line of every key it sees in p.pos.
type decoder struct {
	p *problems
}

var (
	tablesType    = reflect.TypeOf(map[string]TableSettings(nil))
	unmarshalType = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()
)

// deref follows aliases (anchors are allowed; they expand to their value).
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// pairs checks that n is a mapping (null counts as empty) and returns its
// key/value pairs, reporting repeated keys and merge keys.
func (d *decoder) pairs(n *yaml.Node, path string) [][2]*yaml.Node {
	n = deref(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.p.at(n.Line, "%s: expected a mapping of keys, got %s", describe(path), kindName(n))
		return nil
	}
	seen := make(map[string]int, len(n.Content)/2)
	out := make([][2]*yaml.Node, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), n.Content[i+1]
		switch {
		case k.Kind != yaml.ScalarNode:
			d.p.at(k.Line, "%s: keys must be plain strings, got %s", describe(path), kindName(k))
		case k.ShortTag() == "!!merge":
			d.p.at(k.Line, "%s: merge keys (<<) are not supported; use an alias (*name) for a whole value", describe(path))
		case seen[k.Value] > 0:
			d.p.at(k.Line, "%s: key %q repeated (first at line %d)", describe(path), k.Value, seen[k.Value])
		default:
			seen[k.Value] = k.Line
			out = append(out, [2]*yaml.Node{k, v})
		}
	}
	return out
}

// structure decodes mapping n into the struct v, whose fields are found by
// their yaml tags.
func (d *decoder) structure(n *yaml.Node, v reflect.Value, path string) {
	fields := yamlFields(v.Type())
	for _, kv := range d.pairs(n, path) {
		k, val := kv[0], kv[1]
		i, ok := fields[k.Value]
		if !ok {
			d.unknown(k, path, fields)
			continue
		}
		sub := joinPath(path, k.Value)
		d.p.pos[sub] = k.Line
		d.value(val, v.Field(i), sub)
	}
}

func (d *decoder) unknown(k *yaml.Node, path string, fields map[string]int) {
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	msg := "unknown key " + strconv.Quote(k.Value) + " " + where(path)
	if s := suggest(k.Value, names); s != "" {
		msg += " (did you mean " + strconv.Quote(s) + "?)"
	}
	d.p.at(k.Line, "%s", msg)
}

// value decodes one value node into the field f.
func (d *decoder) value(n *yaml.Node, f reflect.Value, path string) {
	n = deref(n)
	switch {
	case f.Type() == tablesType:
		d.tables(n, f, path)
	case reflect.PointerTo(f.Type()).Implements(unmarshalType):
		if err := f.Addr().Interface().(yaml.Unmarshaler).UnmarshalYAML(n); err != nil {
			d.p.at(n.Line, "%s: %v", path, err)
		}
	case f.Kind() == reflect.Struct:
		d.structure(n, f, path)
	case f.Kind() == reflect.Slice:
		d.strings(n, f, path)
	default:
		d.scalar(n, f, path)
	}
}

// tables decodes the tables mapping, keeping the raw names as keys; names
// are checked by Validate.
func (d *decoder) tables(n *yaml.Node, f reflect.Value, path string) {
	m := make(map[string]TableSettings)
	for _, kv := range d.pairs(n, path) {
		sub := joinPath(path, kv[0].Value)
		d.p.pos[sub] = kv[0].Line
		var ts TableSettings
		d.structure(kv[1], reflect.ValueOf(&ts).Elem(), sub)
		m[kv[0].Value] = ts
	}
	f.Set(reflect.ValueOf(m))
}

// strings decodes a list of strings (null is an empty list).
func (d *decoder) strings(n *yaml.Node, f reflect.Value, path string) {
	if isNull(n) {
		f.Set(reflect.Zero(f.Type()))
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.p.at(n.Line, "%s: expected a list, got %s", path, kindName(n))
		return
	}
	list := make([]string, 0, len(n.Content))
	for i, item := range n.Content {
		item = deref(item)
		sub := path + "[" + strconv.Itoa(i) + "]"
		d.p.pos[sub] = item.Line
		if item.Kind != yaml.ScalarNode || isNull(item) {
			d.p.at(item.Line, "%s: expected a string, got %s", sub, kindName(item))
			continue
		}
		list = append(list, item.Value)
	}
	f.Set(reflect.ValueOf(list))
}

// scalar decodes a string, bool or int.
func (d *decoder) scalar(n *yaml.Node, f reflect.Value, path string) {
	if n.Kind != yaml.ScalarNode {
		d.p.at(n.Line, "%s: expected a single value, got %s", path, kindName(n))
		return
	}
	if f.Kind() == reflect.String {
		if !isNull(n) {
			f.SetString(n.Value)
		} else {
			f.SetString("")
		}
		return
	}
	want := map[reflect.Kind]string{reflect.Bool: "true or false", reflect.Int: "an integer"}[f.Kind()]
	if isNull(n) || n.Decode(f.Addr().Interface()) != nil {
		d.p.at(n.Line, "%s: expected %s, got %s", path, want, kindName(n))
	}
}
