package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// createUsers creates login roles over the superuser URL, hashing each password as its Method asks.
func createUsers(ctx context.Context, superURL string, users []User) error {
	if len(users) == 0 {
		return nil
	}
	conn, err := pgx.Connect(ctx, superURL)
	if err != nil {
		return fmt.Errorf("pgcluster: connecting as superuser to create users: %w", err)
	}
	defer conn.Close(context.Background())
	for _, u := range users {
		enc, err := passwordEncryption(u.Method)
		if err != nil {
			return err
		}
		sql := fmt.Sprintf("SET password_encryption = '%s'; CREATE ROLE %s LOGIN PASSWORD %s",
			enc, pgx.Identifier{u.Name}.Sanitize(), quoteLiteral(u.Password))
		if _, err := conn.PgConn().Exec(ctx, sql).ReadAll(); err != nil {
			return fmt.Errorf("pgcluster: creating user %q: %w", u.Name, err)
		}
	}
	return nil
}

// validate checks what can be checked before a cluster is made.
func (opts Options) validate() error {
	var errs []error
	for _, u := range opts.Users {
		if _, err := passwordEncryption(u.Method); err != nil {
			errs = append(errs, err)
		}
		if u.Name == "" {
			errs = append(errs, errors.New("pgcluster: a user has no name"))
		}
	}
	return errors.Join(errs...)
}

// passwordEncryption maps a User.Method to the password_encryption that stores its password.
func passwordEncryption(method string) (string, error) {
	switch method {
	case "md5":
		return "md5", nil
	case "scram-sha-256", "password", "":
		return "scram-sha-256", nil
	}
	return "", fmt.Errorf("pgcluster: unknown user method %q (want md5, scram-sha-256 or password)", method)
}

// quoteLiteral quotes s as a SQL string literal (standard_conforming_strings is on by default).
func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
