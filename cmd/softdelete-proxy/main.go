// Command softdelete-proxy is a PostgreSQL wire-protocol proxy that gives
// existing applications soft delete. Run `softdelete-proxy help` for the
// commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// exitError carries a specific exit status (e.g. 1 for check findings).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// errUsage marks an error already explained by a usage message.
var errUsage = errors.New("usage")

// run dispatches a command line and returns the process exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printUsage(stderr)
		return 2
	}
	name, rest := args[0], args[1:]
	if name == "help" || name == "-h" || name == "--help" || name == "-help" {
		if len(rest) > 0 { // help trash stats = trash stats --help
			return run(ctx, append(append([]string{}, rest...), "--help"), stdin, stdout, stderr)
		}
		printUsage(stdout)
		return 0
	}
	cmd := lookup(name)
	if cmd == nil {
		fmt.Fprintf(stderr, "softdelete-proxy: unknown command %q\n\n", name)
		printUsage(stderr)
		return 2
	}
	err := cmd.run(ctx, rest, stdin, stdout, stderr)
	return exitCode(err, stderr)
}

func exitCode(err error, stderr io.Writer) int {
	var ee *exitError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flagHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.As(err, &ee):
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintf(stderr, "softdelete-proxy: %v\n", ee.err)
		}
		return ee.code
	default:
		fmt.Fprintf(stderr, "softdelete-proxy: %v\n", err)
		return 1
	}
}
