package pgtest_test

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"testing"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

func TestGenerateCerts(t *testing.T) {
	certs, err := pgtest.GenerateCerts(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.LoadX509KeyPair(certs.CertFile, certs.KeyFile)
	if err != nil {
		t.Fatalf("key pair: %v", err)
	}
	caPEM, err := os.ReadFile(certs.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		t.Fatal("CA file holds no certificate")
	}
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"127.0.0.1", "::1", "localhost"} {
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: roots}); err != nil {
			t.Errorf("verify for %s: %v", name, err)
		}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "example.com", Roots: roots}); err == nil {
		t.Error("certificate verifies for example.com")
	}
	fi, err := os.Stat(certs.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestGenerateCertsFresh(t *testing.T) {
	dir := t.TempDir()
	a, err := pgtest.GenerateCerts(dir)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := os.ReadFile(a.CAFile)
	if _, err := pgtest.GenerateCerts(dir); err != nil {
		t.Fatalf("second GenerateCerts into the same dir: %v", err)
	}
	second, _ := os.ReadFile(a.CAFile)
	if string(first) == string(second) {
		t.Error("second GenerateCerts wrote the same CA")
	}
}
