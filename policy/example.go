package policy

import _ "embed" // example.yaml

//go:embed example.yaml
var exampleYAML string

// Example returns example.yaml: a configuration file with every key, its
// default and a comment, for `serve --print-example-config`.
func Example() string { return exampleYAML }
