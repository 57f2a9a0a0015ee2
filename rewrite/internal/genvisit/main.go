// Command genvisit writes rewrite/visit_gen.go: visitChildren, a type switch
// over every message type of pg_query_go's parse tree that hands each set
// message-valued field (plain, repeated or in a oneof) to visit, in field
// order. It reads the types from the pg_query_go of go.mod through protobuf
// reflection, so no field list is kept by hand: after a pg_query_go upgrade,
// run go generate ./rewrite/.
//
//	//go:generate go run ./internal/genvisit -o visit_gen.go
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	out := flag.String("o", "visit_gen.go", "file to write")
	flag.Parse()
	code, err := generate()
	if err == nil {
		err = os.WriteFile(*out, code, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "genvisit:", err)
		os.Exit(1)
	}
}
