package e2e

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSpamcLearn: Debian's spamc teaches `sekisho serve` over the spamd
// protocol (TELL): -L spam, -L ham (moves the message), -L forget, and a
// forget of a message no longer known.
func TestSpamcLearn(t *testing.T) {
	needPeer(t, "spamc")
	dir := t.TempDir()
	p := ports{spamd: freePort(t)}
	cfg := fmt.Sprintf("[general]\ndata_dir = %q\n[bayes]\nmin_learns = 1\n", filepath.Join(dir, "data")) +
		onlyFrontend("spamd", p.spamd, "allow_tell = true\n")
	serveConfig(t, dir, cfg, p, sekishoBin(t))
	msg := writeMsg(t, "spam.eml", spamMsg("spam-tell"))
	spamc := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("spamc", append([]string{"-d", "127.0.0.1", "-p", fmt.Sprint(p.spamd)}, args...)...)
		in, _ := readFile(msg)
		cmd.Stdin = strings.NewReader(in)
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("spamc %v: %v\n%s", args, err, b)
		}
		return strings.TrimSpace(string(b))
	}
	const done, already = "Message successfully un/learned", "Message was already un/learned"
	for _, c := range []struct{ arg, want string }{
		{"spam", done}, {"ham", done}, {"forget", done}, {"forget", already},
	} {
		if got := spamc("-L", c.arg); got != c.want {
			t.Errorf("spamc -L %s: %q, want %q", c.arg, got, c.want)
		}
	}
}
