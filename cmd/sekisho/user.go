package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/sekisho/sekisho/internal/store/accounts"
	"github.com/sekisho/sekisho/internal/store/quarantine"
	"golang.org/x/term"
)

// UserCmd manages console accounts (stored in the quarantine database).
type UserCmd struct {
	Add    UserAddCmd    `cmd:"" help:"Add an account."`
	Passwd UserPasswdCmd `cmd:"" help:"Set an account's password (ends its sessions)."`
	Del    UserDelCmd    `cmd:"" aliases:"delete,rm" help:"Delete an account."`
	List   UserListCmd   `cmd:"" aliases:"ls" help:"List the accounts."`
}

// UserAddCmd adds an account.
type UserAddCmd struct {
	Name          string   `arg:"" help:"Account name."`
	Role          string   `default:"recipient" enum:"admin,recipient" help:"admin (everything) or recipient (only quarantined mail for its addresses)."`
	Address       []string `short:"a" help:"Address whose quarantined mail a recipient account sees (repeatable)."`
	PasswordStdin bool     `name:"password-stdin" help:"Read the password from the first line of standard input."`
}

// Run implements the command.
func (c UserAddCmd) Run(g *Globals) error {
	if c.Role == accounts.RoleRecipient && len(c.Address) == 0 {
		return errors.New("user add: a recipient account needs at least one --address")
	}
	st, err := openStore(g)
	if err != nil {
		return err
	}
	defer st.Close()
	pw, generated, err := readPassword(c.PasswordStdin)
	if err != nil {
		return err
	}
	if err := st.Accounts().CreateUser(context.Background(), c.Name, c.Role, pw, c.Address); err != nil {
		return err
	}
	fmt.Printf("added %s (%s)\n", c.Name, c.Role)
	if generated {
		fmt.Printf("password: %s\n(shown only once)\n", pw)
	}
	return nil
}

// UserPasswdCmd sets a password.
type UserPasswdCmd struct {
	Name          string `arg:"" help:"Account name."`
	PasswordStdin bool   `name:"password-stdin" help:"Read the password from the first line of standard input."`
}

// Run implements the command.
func (c UserPasswdCmd) Run(g *Globals) error {
	st, err := openStore(g)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Accounts().User(context.Background(), c.Name); err != nil {
		return err
	}
	pw, generated, err := readPassword(c.PasswordStdin)
	if err != nil {
		return err
	}
	if err := st.Accounts().SetPassword(context.Background(), c.Name, pw); err != nil {
		return err
	}
	fmt.Printf("password of %s changed\n", c.Name)
	if generated {
		fmt.Printf("password: %s\n(shown only once)\n", pw)
	}
	return nil
}

// UserDelCmd deletes an account.
type UserDelCmd struct {
	Name string `arg:"" help:"Account name."`
}

// Run implements the command.
func (c UserDelCmd) Run(g *Globals) error {
	st, err := openStore(g)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Accounts().DeleteUser(context.Background(), c.Name); err != nil {
		return err
	}
	fmt.Printf("deleted %s\n", c.Name)
	return nil
}

// UserListCmd lists accounts.
type UserListCmd struct{}

// Run implements the command.
func (UserListCmd) Run(g *Globals) error {
	st, err := openStore(g)
	if err != nil {
		return err
	}
	defer st.Close()
	us, err := st.Accounts().Users(context.Background())
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROLE\tADDRESSES\tLAST SIGN-IN")
	for _, u := range us {
		last := "-"
		if !u.LastLogin.IsZero() {
			last = u.LastLogin.Local().Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Name, u.Role, strings.Join(u.Addresses, ","), last)
	}
	return tw.Flush()
}

// minPassword is the shortest password the CLI sets, as the console
// (internal/web) requires.
const minPassword = 10

// readPassword reads a password from stdin (--password-stdin), asks twice on
// a terminal, or else generates a random one. A chosen password shorter
// than minPassword characters is refused.
func readPassword(fromStdin bool) (pw string, generated bool, err error) {
	pw, generated, err = readPasswordRaw(fromStdin)
	if err == nil && !generated && len([]rune(pw)) < minPassword {
		return "", false, fmt.Errorf("the password must have at least %d characters", minPassword)
	}
	return pw, generated, err
}

func readPasswordRaw(fromStdin bool) (pw string, generated bool, err error) {
	if fromStdin {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			return "", false, fmt.Errorf("no password on standard input: %v", err)
		}
		return line, false, nil
	}
	fd := int(os.Stdin.Fd())
	if term.IsTerminal(fd) {
		fmt.Fprint(os.Stderr, "New password (empty: generate one): ")
		a, err := term.ReadPassword(fd)
		fmt.Fprintln(os.Stderr)
		if err != nil {
			return "", false, err
		}
		if len(a) == 0 {
			return accounts.RandomPassword(), true, nil
		}
		fmt.Fprint(os.Stderr, "Again: ")
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(os.Stderr)
		if err != nil {
			return "", false, err
		}
		if string(a) != string(b) {
			return "", false, errors.New("the passwords differ")
		}
		return string(a), false, nil
	}
	return accounts.RandomPassword(), true, nil
}

// openStore opens the quarantine database of the configuration.
func openStore(g *Globals) (*quarantine.Store, error) {
	cfg, err := g.LoadConfig()
	if err != nil {
		return nil, err
	}
	return quarantine.Open(context.Background(), cfg, g.Logger(cfg))
}
