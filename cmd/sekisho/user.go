package main

import "errors"

// UserCmd is owned by the user work.
type UserCmd struct{}

// Run implements the command.
func (UserCmd) Run(g *Globals) error {
	return errors.New("user: not available in this build yet")
}
