package pgcluster

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// Certs names the PEM files GenerateCerts wrote.
type Certs struct{ CAFile, CertFile, KeyFile string }

// GenerateCerts writes a fresh self-signed CA and a server certificate signed by it, valid for
// 127.0.0.1, ::1 and localhost, into dir (key file mode 0600, readable by the postgres OS user when root).
func GenerateCerts(dir string) (Certs, error) {
	caKey, caCert, caDER, err := newCA()
	if err != nil {
		return Certs{}, err
	}
	srvKey, srvDER, err := newServerCert(caKey, caCert)
	if err != nil {
		return Certs{}, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(srvKey)
	if err != nil {
		return Certs{}, fmt.Errorf("pgcluster: marshal server key: %w", err)
	}
	c := Certs{
		CAFile:   filepath.Join(dir, "ca.crt"),
		CertFile: filepath.Join(dir, "server.crt"),
		KeyFile:  filepath.Join(dir, "server.key"),
	}
	if err := writePEM(c.CAFile, "CERTIFICATE", caDER, 0o644); err != nil {
		return Certs{}, err
	}
	if err := writePEM(c.CertFile, "CERTIFICATE", srvDER, 0o644); err != nil {
		return Certs{}, err
	}
	if err := writePEM(c.KeyFile, "PRIVATE KEY", keyDER, 0o600); err != nil {
		return Certs{}, err
	}
	return c, chownAll(c.CAFile, c.CertFile, c.KeyFile)
}

func newCA() (*ecdsa.PrivateKey, *x509.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("pgcluster: CA key: %w", err)
	}
	tmpl := certTemplate("softdelete-proxy throwaway CA")
	tmpl.IsCA = true
	tmpl.BasicConstraintsValid = true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("pgcluster: CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("pgcluster: CA certificate: %w", err)
	}
	return key, cert, der, nil
}

func newServerCert(caKey *ecdsa.PrivateKey, ca *x509.Certificate) (*ecdsa.PrivateKey, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("pgcluster: server key: %w", err)
	}
	tmpl := certTemplate("localhost")
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	tmpl.DNSNames = []string{"localhost"}
	tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, nil, fmt.Errorf("pgcluster: server certificate: %w", err)
	}
	return key, der, nil
}

func certTemplate(cn string) *x509.Certificate {
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	return &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"softdelete-proxy"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(7 * 24 * time.Hour),
	}
}

func writePEM(path, typ string, der []byte, mode os.FileMode) error {
	data := pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
	if err := os.WriteFile(path, data, mode); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	return os.Chmod(path, mode) // WriteFile leaves an existing file's mode alone
}

// chownAll hands files to the postgres OS user when running as root.
func chownAll(paths ...string) error {
	o, err := clusterOwner()
	if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	for _, p := range paths {
		if err := o.chown(p); err != nil {
			return fmt.Errorf("pgcluster: %w", err)
		}
	}
	return nil
}
