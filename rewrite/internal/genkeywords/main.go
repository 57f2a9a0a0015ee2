// Command genkeywords writes rewrite/keywords_gen.go from the keyword list
// PostgreSQL's own quote_ident uses: kwlist.h as vendored by the pg_query_go
// version in go.mod (so the quoting matches the parser the rewriter runs).
// Every keyword whose category is not UNRESERVED_KEYWORD must be quoted.
//
// Run it through go generate in rewrite/:
//
//	//go:generate go run ./internal/genkeywords -o keywords_gen.go
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

const pgQueryModule = "github.com/pganalyze/pg_query_go/v6"

func main() {
	out := flag.String("o", "keywords_gen.go", "file to write")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "genkeywords:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	src, err := readSource()
	if err != nil {
		return err
	}
	code, err := generate(src)
	if err != nil {
		return err
	}
	return os.WriteFile(out, code, 0o644)
}

// source is what the generated file is made from.
type source struct {
	kwlist   []byte // kwlist.h
	pgConfig []byte // pg_config.h, for PG_MAJORVERSION
	modVer   string // pg_query_go's version, e.g. v6.2.5
}

// readSource finds pg_query_go in the module cache (downloading it if need
// be, at the version go.mod selects) and reads its vendored kwlist.h and
// pg_config.h.
func readSource() (source, error) {
	out, err := exec.Command("go", "mod", "download", "-json", pgQueryModule).Output()
	if err != nil {
		return source{}, fmt.Errorf("go mod download %s: %w", pgQueryModule, err)
	}
	var mod struct{ Dir, Version, Error string }
	if err := json.Unmarshal(out, &mod); err != nil || mod.Dir == "" {
		return source{}, fmt.Errorf("go mod download %s: no module directory (%v %s)", pgQueryModule, err, mod.Error)
	}
	dir, ver := mod.Dir, mod.Version
	s := source{modVer: ver}
	include := filepath.Join(dir, "parser", "include", "postgres")
	if s.kwlist, err = os.ReadFile(filepath.Join(include, "parser", "kwlist.h")); err != nil {
		return s, err
	}
	if s.pgConfig, err = os.ReadFile(filepath.Join(include, "pg_config.h")); err != nil {
		return s, err
	}
	return s, nil
}
