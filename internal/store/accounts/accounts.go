// Package accounts keeps the console's accounts: users with argon2id
// password hashes (RFC 9106), signed-in sessions (only token hashes are
// stored) and the audit trail of who did what. It shares the database
// handle and schema of internal/store/quarantine (one file or one
// PostgreSQL database), which opens it: quarantine.Store.Accounts.
package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"
)

// Errors.
var (
	ErrNotFound  = errors.New("accounts: not found")
	ErrUserExist = errors.New("accounts: user already exists")
)

// Store is the accounts part of the quarantine database. Safe for
// concurrent use.
type Store struct {
	db       *sql.DB
	postgres bool
	now      func() time.Time
}

// New uses an open database ("sqlite" or "postgres" dialect) whose schema
// includes Schema; now is the clock (tests move it).
func New(db *sql.DB, dialect string, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{db: db, postgres: dialect == "postgres", now: now}
}

// Schema creates the tables of this package (both dialects); the
// quarantine store runs it with its own.
var Schema = []string{
	`CREATE TABLE IF NOT EXISTS users (
		name TEXT PRIMARY KEY,
		hash TEXT NOT NULL,
		role TEXT NOT NULL,
		addresses TEXT NOT NULL DEFAULT '',
		created_at BIGINT NOT NULL DEFAULT 0,
		last_login BIGINT NOT NULL DEFAULT 0
	)`,
	`CREATE TABLE IF NOT EXISTS sessions (
		id TEXT PRIMARY KEY,
		username TEXT NOT NULL,
		csrf TEXT NOT NULL,
		created_at BIGINT NOT NULL,
		seen_at BIGINT NOT NULL,
		expires_at BIGINT NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS sessions_user ON sessions (username)`,
	`CREATE TABLE IF NOT EXISTS audit (
		at BIGINT NOT NULL,
		username TEXT NOT NULL,
		action TEXT NOT NULL,
		msg_id TEXT NOT NULL DEFAULT '',
		detail TEXT NOT NULL DEFAULT ''
	)`,
	`CREATE INDEX IF NOT EXISTS audit_at ON audit (at)`,
	`CREATE INDEX IF NOT EXISTS audit_msg ON audit (msg_id)`,
}

// Now is the store's clock.
func (s *Store) Now() time.Time { return s.now() }

// rebind rewrites "?" placeholders for PostgreSQL. The SQL in this
// package never has "?" inside string literals.
func (s *Store) rebind(q string) string {
	if !s.postgres {
		return q
	}
	var sb strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			sb.WriteByte('$')
			sb.WriteString(strconv.Itoa(n))
			continue
		}
		sb.WriteByte(q[i])
	}
	return sb.String()
}

func (s *Store) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return s.db.ExecContext(ctx, s.rebind(q), args...)
}

func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return s.db.QueryContext(ctx, s.rebind(q), args...)
}

func (s *Store) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return s.db.QueryRowContext(ctx, s.rebind(q), args...)
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v)
}

func normAddr(a string) string {
	a = strings.TrimSpace(strings.Trim(strings.TrimSpace(a), "<>"))
	return strings.ToLower(a)
}

// clean makes text safe to store: valid UTF-8 without NUL.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}

func trim(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && (s[n]&0xC0) == 0x80 {
		n--
	}
	return s[:n] + "…"
}

// Roles.
const (
	RoleAdmin     = "admin"
	RoleRecipient = "recipient"
)

// User is a console account.
type User struct {
	Name      string
	Role      string   // RoleAdmin or RoleRecipient
	Addresses []string // for recipients: the addresses whose mail they see
	Created   time.Time
	LastLogin time.Time
	hash      string
}

// argon2id parameters (RFC 9106 §4, second recommended option, with two lanes).
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
)

// HashPassword returns a PHC-format argon2id hash.
func HashPassword(pw string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// CheckPassword verifies a password against a hash from HashPassword.
func CheckPassword(hash, pw string) bool {
	f := strings.Split(hash, "$")
	if len(f) != 6 || f[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(f[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	if m == 0 || m > 1<<20 || t == 0 || t > 20 || p == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(f[4])
	want, err2 := b64.DecodeString(f[5])
	if err1 != nil || err2 != nil || len(want) == 0 || len(want) > 128 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// RandomPassword returns a random password of 20 characters from an
// unambiguous alphabet (about 110 bits).
func RandomPassword() string {
	const alpha = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alpha[int(b[i])%len(alpha)]
	}
	return string(b)
}

func validUser(name, role string) error {
	if name == "" || len(name) > 100 || strings.ContainsAny(name, " \t\r\n\x00") {
		return fmt.Errorf("accounts: bad user name %q", name)
	}
	if role != RoleAdmin && role != RoleRecipient {
		return fmt.Errorf("accounts: role %q: want admin or recipient", role)
	}
	return nil
}

// CreateUser adds an account.
func (s *Store) CreateUser(ctx context.Context, name, role, password string, addresses []string) error {
	if err := validUser(name, role); err != nil {
		return err
	}
	if password == "" {
		return errors.New("accounts: empty password")
	}
	if _, err := s.User(ctx, name); err == nil {
		return fmt.Errorf("%w: %s", ErrUserExist, name)
	}
	var as []string
	for _, a := range addresses {
		if a = normAddr(a); a != "" {
			as = append(as, a)
		}
	}
	_, err := s.exec(ctx, `INSERT INTO users (name, hash, role, addresses, created_at) VALUES (?, ?, ?, ?, ?)`,
		name, HashPassword(password), role, strings.Join(as, "\n"), ms(s.Now()))
	if err != nil {
		return fmt.Errorf("accounts: create user: %w", err)
	}
	return nil
}

// SetPassword changes a password and ends the account's sessions.
func (s *Store) SetPassword(ctx context.Context, name, password string) error {
	if password == "" {
		return errors.New("accounts: empty password")
	}
	res, err := s.exec(ctx, `UPDATE users SET hash = ? WHERE name = ?`, HashPassword(password), name)
	if err != nil {
		return fmt.Errorf("accounts: set password: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: user %s", ErrNotFound, name)
	}
	_, err = s.exec(ctx, `DELETE FROM sessions WHERE username = ?`, name)
	return err
}

// DeleteUser removes an account and its sessions.
func (s *Store) DeleteUser(ctx context.Context, name string) error {
	res, err := s.exec(ctx, `DELETE FROM users WHERE name = ?`, name)
	if err != nil {
		return fmt.Errorf("accounts: delete user: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: user %s", ErrNotFound, name)
	}
	_, err = s.exec(ctx, `DELETE FROM sessions WHERE username = ?`, name)
	return err
}

// User returns one account.
func (s *Store) User(ctx context.Context, name string) (*User, error) {
	u := &User{}
	var addrs string
	var created, last int64
	err := s.queryRow(ctx, `SELECT name, hash, role, addresses, created_at, last_login FROM users WHERE name = ?`, name).
		Scan(&u.Name, &u.hash, &u.Role, &addrs, &created, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: user %s", ErrNotFound, name)
	}
	if err != nil {
		return nil, fmt.Errorf("accounts: user: %w", err)
	}
	if addrs != "" {
		u.Addresses = strings.Split(addrs, "\n")
	}
	u.Created, u.LastLogin = fromMS(created), fromMS(last)
	return u, nil
}

// Users lists the accounts.
func (s *Store) Users(ctx context.Context) ([]*User, error) {
	rows, err := s.query(ctx, `SELECT name FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("accounts: users: %w", err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	var out []*User
	for _, n := range names {
		u, err := s.User(ctx, n)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// CountUsers returns how many accounts exist.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

// dummyHash makes failed look-ups cost as much as a wrong password. It
// is computed on the first failed look-up, not at start-up: one argon2id
// hash costs 64 MiB and about a second of CPU on a loaded host, which
// every command (even `sekisho version`) paid when it was a package
// variable.
var dummyHash = sync.OnceValue(func() string { return HashPassword("sekisho-dummy") })

// Authenticate checks a name and password.
func (s *Store) Authenticate(ctx context.Context, name, password string) (*User, bool) {
	u, err := s.User(ctx, name)
	if err != nil {
		CheckPassword(dummyHash(), password)
		return nil, false
	}
	if !CheckPassword(u.hash, password) {
		return nil, false
	}
	_, _ = s.exec(ctx, `UPDATE users SET last_login = ? WHERE name = ?`, ms(s.Now()), name)
	return u, true
}

// Session is a signed-in browser.
type Session struct {
	User    *User
	CSRF    string
	Expires time.Time
}

func tokenHash(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// CreateSession starts a session and returns its cookie token (only its
// hash is stored).
func (s *Store) CreateSession(ctx context.Context, user string, life time.Duration) (string, *Session, error) {
	tok := randomToken()
	csrf := randomToken()
	now := s.Now()
	_, err := s.exec(ctx, `INSERT INTO sessions (id, username, csrf, created_at, seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
		tokenHash(tok), user, csrf, ms(now), ms(now), ms(now.Add(life)))
	if err != nil {
		return "", nil, fmt.Errorf("accounts: create session: %w", err)
	}
	u, err := s.User(ctx, user)
	if err != nil {
		return "", nil, err
	}
	return tok, &Session{User: u, CSRF: csrf, Expires: now.Add(life)}, nil
}

// Session returns the live session for a cookie token and extends it.
func (s *Store) Session(ctx context.Context, tok string, life time.Duration) (*Session, error) {
	if tok == "" || len(tok) > 200 {
		return nil, ErrNotFound
	}
	id := tokenHash(tok)
	var user, csrf string
	var seen, exp int64
	err := s.queryRow(ctx, `SELECT username, csrf, seen_at, expires_at FROM sessions WHERE id = ?`, id).Scan(&user, &csrf, &seen, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("accounts: session: %w", err)
	}
	now := s.Now()
	if ms(now) >= exp {
		_, _ = s.exec(ctx, `DELETE FROM sessions WHERE id = ?`, id)
		return nil, ErrNotFound
	}
	u, err := s.User(ctx, user)
	if err != nil {
		return nil, ErrNotFound
	}
	expires := fromMS(exp)
	if ms(now)-seen > 60_000 {
		expires = now.Add(life)
		_, _ = s.exec(ctx, `UPDATE sessions SET seen_at = ?, expires_at = ? WHERE id = ?`, ms(now), ms(expires), id)
	}
	return &Session{User: u, CSRF: csrf, Expires: expires}, nil
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, tok string) error {
	_, err := s.exec(ctx, `DELETE FROM sessions WHERE id = ?`, tokenHash(tok))
	return err
}

// AuditEntry is one line of the audit trail.
type AuditEntry struct {
	Time   time.Time
	User   string
	Action string
	MsgID  string
	Detail string
}

const auditInsert = `INSERT INTO audit (at, username, action, msg_id, detail) VALUES (?, ?, ?, ?, ?)`

// Audit appends to the audit trail.
func (s *Store) Audit(ctx context.Context, user, action, msgID, detail string) error {
	_, err := s.exec(ctx, auditInsert, ms(s.Now()), clean(user), clean(action), clean(msgID), clean(trim(detail, 1000)))
	if err != nil {
		return fmt.Errorf("accounts: audit: %w", err)
	}
	return nil
}

// AuditTx appends to the audit trail inside a transaction of the shared
// database (a quarantine delete and its audit line commit together).
func (s *Store) AuditTx(ctx context.Context, tx *sql.Tx, user, action, msgID, detail string) error {
	_, err := tx.ExecContext(ctx, s.rebind(auditInsert), ms(s.Now()), clean(user), clean(action), clean(msgID), clean(trim(detail, 1000)))
	if err != nil {
		return fmt.Errorf("accounts: audit: %w", err)
	}
	return nil
}

// AuditLog returns the newest audit entries, for one message when msgID is set.
func (s *Store) AuditLog(ctx context.Context, msgID string, limit int) ([]AuditEntry, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	q := `SELECT at, username, action, msg_id, detail FROM audit`
	var args []any
	if msgID != "" {
		q += ` WHERE msg_id = ?`
		args = append(args, msgID)
	}
	q += ` ORDER BY at DESC LIMIT ?`
	rows, err := s.query(ctx, q, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("accounts: audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var a AuditEntry
		var at int64
		if err := rows.Scan(&at, &a.User, &a.Action, &a.MsgID, &a.Detail); err != nil {
			return nil, err
		}
		a.Time = fromMS(at)
		out = append(out, a)
	}
	return out, rows.Err()
}
