package main

import (
	"fmt"

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
	File string `arg:"" help:"File to check." type:"existingfile"`
}

// Run implements the command.
func (c ConfigCheckCmd) Run(g *Globals) error {
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
	fmt.Printf("%s: ok (%d analyzers)\n", c.File, len(e.Analyzers()))
	return nil
}
