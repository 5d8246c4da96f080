package testenv

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/shortlink/shortlink/test/testkit"
)

// PasswordPostgres is a private PostgreSQL server that lets TCP clients in
// only as RDS does with rds.force_ssl: over TLS, with a scram-sha-256
// password. It holds one database owned by a login role with a random
// password, as RDS's master user owns the database Terraform names.
type PasswordPostgres struct {
	server *postgresServer
	// User and Password are the login role's; Database is its database.
	User, Password, Database string
}

// passwordHBA admits the superuser on the Unix socket, for the test's own
// setup, and every TCP client only over TLS with a scram-sha-256 password:
// no trust, no plain host line.
const passwordHBA = `local all postgres trust
hostssl all all 127.0.0.1/32 scram-sha-256
`

// StartPasswordPostgres initialises and starts a PasswordPostgres on a free
// loopback port, with a self-signed certificate it makes, the role user
// and its database; all of it is deleted when the test ends.
func StartPasswordPostgres(t testing.TB, user, database string) *PasswordPostgres {
	t.Helper()
	s, err := newPostgresServer(testkit.FreePort(t),
		"ssl=on", "ssl_cert_file=server.crt", "ssl_key_file=server.key", "password_encryption=scram-sha-256")
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	t.Cleanup(func() {
		if err := s.remove(); err != nil {
			t.Errorf("testenv: %v", err)
		}
	})
	p := &PasswordPostgres{server: s, User: user, Password: testkit.RandomHex(16), Database: database}
	if err := p.configure(); err != nil {
		t.Fatalf("testenv: password Postgres: %v", err)
	}
	if err := s.start(); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	if err := p.createLogin(); err != nil {
		t.Fatalf("testenv: password Postgres: %v", err)
	}
	return p
}

// URL is the database's URL as Terraform gives it to the tasks: the user,
// no password, sslmode=require.
func (p *PasswordPostgres) URL() string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=require", p.User, p.server.port, p.Database)
}

// SuperuserDSN reaches the database as the superuser over the Unix socket,
// for checks the role may not make (pg_stat_ssl of every backend).
func (p *PasswordPostgres) SuperuserDSN() string {
	return fmt.Sprintf("host=%s port=%d user=postgres dbname=%s sslmode=disable", p.server.socketDir(), p.server.port, p.Database)
}

// configure writes the certificate, its key and pg_hba.conf into the data
// directory, owned by the server's OS user.
func (p *PasswordPostgres) configure() error {
	cert, key, err := selfSignedCertificate()
	if err != nil {
		return err
	}
	data := p.server.dataDir()
	for name, content := range map[string][]byte{"server.crt": cert, "server.key": key, "pg_hba.conf": []byte(passwordHBA)} {
		// The server refuses a key that others can read.
		if err := os.WriteFile(filepath.Join(data, name), content, 0o600); err != nil {
			return err
		}
	}
	return p.server.chownToServerUser()
}

// createLogin creates the role, with its password hashed by the server
// (scram-sha-256), and its database.
func (p *PasswordPostgres) createLogin() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := sql.Open("postgres", fmt.Sprintf("host=%s port=%d user=postgres dbname=postgres sslmode=disable", p.server.socketDir(), p.server.port))
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE ROLE "+pq.QuoteIdentifier(p.User)+" LOGIN CREATEDB PASSWORD "+pq.QuoteLiteral(p.Password)); err != nil {
		return fmt.Errorf("create role %s: %w", p.User, err)
	}
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(p.Database)+" OWNER "+pq.QuoteIdentifier(p.User)); err != nil {
		return fmt.Errorf("create database %s: %w", p.Database, err)
	}
	return nil
}

// selfSignedCertificate makes a P-256 certificate for 127.0.0.1 and
// localhost, valid for a day, and its key, both PEM-encoded.
func selfSignedCertificate() (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	template := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), nil
}
