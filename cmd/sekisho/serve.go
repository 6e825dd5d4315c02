package main

import "errors"

// ServeCmd is owned by the serve work.
type ServeCmd struct{}

// Run implements the command.
func (ServeCmd) Run(g *Globals) error {
	return errors.New("serve: not available in this build yet")
}
