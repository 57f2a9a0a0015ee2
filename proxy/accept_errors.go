package proxy

import (
	"errors"
	"syscall"
)

// isTemporaryAccept reports accept errors worth retrying: out of file
// descriptors or memory, or a connection aborted before we took it.
func isTemporaryAccept(err error) bool {
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) ||
		errors.Is(err, syscall.ENOBUFS) || errors.Is(err, syscall.ENOMEM) ||
		errors.Is(err, syscall.ECONNABORTED)
}
