package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

// BackupCmd copies the data directory while serve runs.
type BackupCmd struct {
	Dir string `arg:"" help:"Directory to write the backup to (created; must be empty)." type:"path"`
}

// maxBackupFiles bounds the walk of the data directory.
const maxBackupFiles = 10000

var sqliteHeader = []byte("SQLite format 3\x00")

// Run implements the command: every SQLite file of the data directory is
// copied with VACUUM INTO (a consistent snapshot taken while serve keeps
// writing), the classifier file under its lock, other files as they are.
// PostgreSQL is not copied: use pg_dump (docs/deploy.md).
func (c BackupCmd) Run(g *Globals) error {
	cfg, err := g.LoadConfig()
	if err != nil {
		return err
	}
	src := cfg.General.DataDir
	if ents, err := os.ReadDir(c.Dir); err == nil && len(ents) > 0 {
		return fmt.Errorf("backup: %s is not empty", c.Dir)
	}
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	start := time.Now()
	var n int
	var total int64
	var manifest bytes.Buffer
	fmt.Fprintf(&manifest, "sekisho %s backup of %s at %s\n", version, src, start.UTC().Format(time.RFC3339))
	err = filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		dst := filepath.Join(c.Dir, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o700)
		}
		name := d.Name()
		if !d.Type().IsRegular() || skipBackup(name) {
			return nil
		}
		if n++; n > maxBackupFiles {
			return fmt.Errorf("more than %d files in %s", maxBackupFiles, src)
		}
		how, err := backupFile(path, dst)
		if err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		if st, err := os.Stat(dst); err == nil {
			total += st.Size()
		}
		fmt.Fprintf(&manifest, "%s\t%s\n", rel, how)
		fmt.Printf("backup: %s (%s)\n", rel, how)
		return nil
	})
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if cfg.Quarantine.Enabled && cfg.Quarantine.Driver == "postgres" {
		fmt.Fprintf(&manifest, "quarantine on PostgreSQL: not included (pg_dump)\n")
		fmt.Println("backup: the quarantine is on PostgreSQL and is not included: back it up with pg_dump -Fc (docs/deploy.md)")
	}
	if err := os.WriteFile(filepath.Join(c.Dir, "BACKUP.txt"), manifest.Bytes(), 0o600); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Printf("backup: %d files, %d bytes in %s (%.1fs)\n", n, total, c.Dir, time.Since(start).Seconds())
	return nil
}

// skipBackup: files that are not state (SQLite's -wal and -shm are folded
// into the VACUUM INTO copy).
func skipBackup(name string) bool {
	return name == pidFile || strings.HasSuffix(name, "-wal") || strings.HasSuffix(name, "-shm") ||
		strings.HasSuffix(name, "-journal") || strings.HasSuffix(name, ".lock") || strings.HasSuffix(name, ".tmp")
}

// backupFile copies one file and says how.
func backupFile(src, dst string) (string, error) {
	head := make([]byte, 16)
	if f, err := os.Open(src); err == nil {
		io.ReadFull(f, head)
		f.Close()
	}
	if bytes.Equal(head, sqliteHeader) {
		return "sqlite VACUUM INTO", vacuumInto(src, dst)
	}
	// The classifier file is replaced by rename under its lock file:
	// holding the lock gives a whole file.
	if bytes.HasPrefix(head, []byte("SKBAYES")) {
		lf, err := os.OpenFile(src+".lock", os.O_CREATE|os.O_RDWR, 0o640)
		if err != nil {
			return "", err
		}
		defer lf.Close()
		if err := syscall.Flock(int(lf.Fd()), syscall.LOCK_EX); err != nil {
			return "", err
		}
		defer syscall.Flock(int(lf.Fd()), syscall.LOCK_UN)
		return "copied under lock", copyFile(src, dst)
	}
	return "copied", copyFile(src, dst)
}

func vacuumInto(src, dst string) error {
	db, err := sql.Open("sqlite", "file:"+src+"?_pragma=busy_timeout(30000)")
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, dst); err != nil {
		return err
	}
	return os.Chmod(dst, 0o600)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return errors.Join(out.Sync(), out.Close())
}
