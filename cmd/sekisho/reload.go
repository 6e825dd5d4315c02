package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/sekisho/sekisho/internal/engine"
)

// pidFile is where serve writes its process id, in general.data_dir.
const pidFile = "sekisho.pid"

// ReloadCmd asks a running serve to reload.
type ReloadCmd struct {
	PID int `help:"Signal this process instead of the one in DATA_DIR/sekisho.pid."`
}

// Run implements the command: it checks the configuration here first (so
// the administrator sees what is wrong), then sends SIGHUP; serve loads it
// again itself and keeps the old one if it fails there.
func (c ReloadCmd) Run(g *Globals) error {
	cfg, err := g.LoadConfig()
	if err != nil {
		return fmt.Errorf("reload: configuration refused, serve keeps the running one: %w", err)
	}
	e, err := engine.New(cfg, engine.Options{})
	if err != nil {
		return fmt.Errorf("reload: configuration refused, serve keeps the running one: %w", err)
	}
	e.Close()
	pid := c.PID
	if pid == 0 {
		path := filepath.Join(cfg.General.DataDir, pidFile)
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("reload: no running serve found (%s): %w", path, err)
		}
		if pid, err = strconv.Atoi(strings.TrimSpace(string(b))); err != nil || pid <= 1 {
			return fmt.Errorf("reload: %s does not hold a process id", path)
		}
	}
	if err := syscall.Kill(pid, syscall.SIGHUP); err != nil {
		return fmt.Errorf("reload: signal process %d: %w", pid, err)
	}
	fmt.Printf("reload: configuration ok; asked process %d to reload (see its log)\n", pid)
	return nil
}

// reloadEngine is serve's SIGHUP handler.
func reloadEngine(g *Globals, eng *engine.Engine, log *slog.Logger) {
	cfg, err := g.LoadConfig()
	if err == nil {
		err = eng.Reload(cfg)
	}
	if err != nil {
		log.Error("reload refused: the running configuration stays", "err", err)
		return
	}
	log.Info("reloaded: configuration, rules, lists and weights", "analyzers", len(eng.Analyzers()))
}

// writePID writes DATA_DIR/sekisho.pid and returns its remover.
func writePID(dir string, log *slog.Logger) func() {
	path := filepath.Join(dir, pidFile)
	if err := os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		log.Warn("pid file not written: sekisho reload needs --pid", "path", path, "err", err)
		return func() {}
	}
	return func() {
		if b, err := os.ReadFile(path); err == nil && strings.TrimSpace(string(b)) == strconv.Itoa(os.Getpid()) {
			if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
				log.Warn("pid file not removed", "path", path, "err", err)
			}
		}
	}
}
