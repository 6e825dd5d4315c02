package main

import (
	"context"
	"fmt"
	"os"

	"github.com/sekisho/sekisho/internal/action"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/engine"
)

// ConfigCmd prints or checks configuration.
type ConfigCmd struct {
	Example ConfigExampleCmd `cmd:"" help:"Print the commented example configuration (every key with its default)."`
	Check   ConfigCheckCmd   `cmd:"" help:"Check a configuration file: syntax, unknown keys, values, and that every analyzer starts."`
}

// ConfigExampleCmd prints the example.
type ConfigExampleCmd struct{}

// Run implements the command.
func (ConfigExampleCmd) Run() error {
	fmt.Print(config.Example())
	return nil
}

// ConfigCheckCmd checks a file.
type ConfigCheckCmd struct {
	File string `arg:"" help:"File to check." type:"path"`
}

// Run implements the command.
func (c ConfigCheckCmd) Run(g *Globals) error {
	// A missing file is one clear line, not the whole usage text.
	if st, err := os.Stat(c.File); err != nil {
		return fmt.Errorf("config check: %s: no such file or not readable", c.File)
	} else if st.IsDir() {
		return fmt.Errorf("config check: %s is a directory, not a configuration file", c.File)
	}
	cfg, err := config.Load(c.File)
	if err != nil {
		return err
	}
	if g.cli.DataDir != "" {
		cfg.General.DataDir = g.cli.DataDir
	}
	e, err := engine.New(cfg, engine.Options{})
	if err != nil {
		return err
	}
	defer e.Close()
	// What serve loads besides the engine: the ARC sealing key.
	if _, err := action.NewSealer(cfg); err != nil {
		return err
	}
	// The console certificate, when configured, must load.
	if _, err := newCertFiles(cfg); err != nil {
		return fmt.Errorf("config check: %w", err)
	}
	if err := checkServices(context.Background(), cfg, os.Stdout); err != nil {
		return err
	}
	fmt.Printf("%s: ok (%d analyzers)\n", c.File, len(e.Analyzers()))
	return nil
}
