package main

import "errors"

// LearnCmd is owned by the learn work.
type LearnCmd struct{}

// Run implements the command.
func (LearnCmd) Run(g *Globals) error {
	return errors.New("learn: not available in this build yet")
}
