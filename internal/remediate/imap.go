package remediate

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strings"
	"time"

	"github.com/emersion/go-imap"
	"github.com/emersion/go-imap/client"
	"github.com/emersion/go-imap/commands"
)

// ErrTooLarge: a copy to delete is larger than max_copy_bytes, so it is
// not deleted (undo could not restore it).
var ErrTooLarge = errors.New("remediate: message larger than max_copy_bytes, not deleted")

// mailbox is one IMAP session opened as the master user for one
// recipient's mailbox.
type mailbox struct {
	c    *client.Client
	user string
}

// open logs into user's mailbox. The deadline of ctx bounds every
// command.
func (r *Remediator) open(ctx context.Context, user string) (*mailbox, error) {
	cfg := r.cfg
	d := &net.Dialer{Timeout: 15 * time.Second}
	host, _, _ := net.SplitHostPort(cfg.IMAPAddr)
	tc := &tls.Config{ServerName: host, InsecureSkipVerify: cfg.TLSSkipVerify, MinVersion: tls.VersionTLS12} // #nosec G402 -- opt-in for test servers
	var c *client.Client
	var err error
	if cfg.TLS == "tls" {
		c, err = client.DialWithDialerTLS(d, cfg.IMAPAddr, tc)
	} else {
		c, err = client.DialWithDialer(d, cfg.IMAPAddr)
	}
	if err != nil {
		return nil, fmt.Errorf("remediate: connect %s: %w", cfg.IMAPAddr, err)
	}
	c.Timeout = 30 * time.Second
	if dl, ok := ctx.Deadline(); ok {
		if left := time.Until(dl); left < c.Timeout {
			c.Timeout = max(left, time.Second)
		}
	}
	if cfg.TLS == "starttls" {
		if err := c.StartTLS(tc); err != nil {
			_ = c.Terminate()
			return nil, fmt.Errorf("remediate: STARTTLS: %w", err)
		}
	}
	if err := r.login(c, user); err != nil {
		_ = c.Logout()
		return nil, fmt.Errorf("remediate: login to %s's mailbox: %w", user, err)
	}
	return &mailbox{c: c, user: user}, nil
}

func (m *mailbox) close() {
	if err := m.c.Logout(); err != nil {
		_ = m.c.Terminate()
	}
}

// folders lists the selectable folders but skip, at most max.
func (m *mailbox) folders(skip string, max int) ([]string, error) {
	ch := make(chan *imap.MailboxInfo, 16)
	done := make(chan error, 1)
	go func() { done <- m.c.List("", "*", ch) }()
	var out []string
	for info := range ch {
		if len(out) >= max || strings.EqualFold(info.Name, skip) {
			continue
		}
		sel := true
		for _, a := range info.Attributes {
			if strings.EqualFold(a, imap.NoSelectAttr) || strings.EqualFold(a, "\\NonExistent") {
				sel = false
			}
		}
		if sel {
			out = append(out, info.Name)
		}
	}
	if err := <-done; err != nil {
		return nil, fmt.Errorf("remediate: LIST: %w", err)
	}
	return out, nil
}

// find returns the UIDs, in the selected folder, of messages whose
// Message-ID is exactly id (SEARCH HEADER matches substrings; the header
// is fetched to confirm), with their flags and sizes.
func (m *mailbox) find(id string) ([]found, error) {
	crit := imap.NewSearchCriteria()
	crit.Header.Add("Message-ID", id)
	uids, err := m.c.UidSearch(crit)
	if err != nil {
		return nil, fmt.Errorf("remediate: SEARCH: %w", err)
	}
	if len(uids) == 0 {
		return nil, nil
	}
	if len(uids) > maxPerFolder {
		uids = uids[:maxPerFolder]
	}
	set := new(imap.SeqSet)
	set.AddNum(uids...)
	sec, _ := imap.ParseBodySectionName("BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]")
	ch := make(chan *imap.Message, 16)
	done := make(chan error, 1)
	go func() {
		done <- m.c.UidFetch(set, []imap.FetchItem{imap.FetchUid, imap.FetchFlags, imap.FetchRFC822Size, sec.FetchItem()}, ch)
	}()
	var out []found
	for msg := range ch {
		lit := msg.GetBody(sec)
		if lit == nil {
			continue
		}
		b, _ := io.ReadAll(io.LimitReader(lit, 64<<10))
		if headerID(b) == id {
			out = append(out, found{uid: msg.Uid, flags: msg.Flags, size: msg.Size})
		}
	}
	if err := <-done; err != nil {
		return nil, fmt.Errorf("remediate: FETCH: %w", err)
	}
	return out, nil
}

// maxPerFolder bounds the copies of one Message-ID handled per folder.
const maxPerFolder = 100

type found struct {
	uid   uint32
	flags []string
	size  uint32
}

// headerID reads the Message-ID field of a header block, without angle
// brackets.
func headerID(b []byte) string {
	tp := textproto.NewReader(bufio.NewReader(io.MultiReader(bytes.NewReader(b), strings.NewReader("\r\n\r\n"))))
	h, _ := tp.ReadMIMEHeader()
	return normID(h.Get("Message-Id"))
}

// normID strips white space and one pair of angle brackets.
func normID(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '<'); i >= 0 {
		if j := strings.IndexByte(s[i:], '>'); j > 0 {
			return strings.TrimSpace(s[i+1 : i+j])
		}
	}
	return s
}

// fetchRaw returns one message whole.
func (m *mailbox) fetchRaw(uid uint32, limit int) ([]byte, error) {
	set := new(imap.SeqSet)
	set.AddNum(uid)
	sec, _ := imap.ParseBodySectionName("BODY.PEEK[]")
	ch := make(chan *imap.Message, 1)
	done := make(chan error, 1)
	go func() { done <- m.c.UidFetch(set, []imap.FetchItem{sec.FetchItem()}, ch) }()
	var raw []byte
	var rerr error
	for msg := range ch {
		if lit := msg.GetBody(sec); lit != nil {
			raw, rerr = io.ReadAll(io.LimitReader(lit, int64(limit)+1))
		}
	}
	if err := <-done; err != nil {
		return nil, fmt.Errorf("remediate: FETCH: %w", err)
	}
	if rerr != nil {
		return nil, rerr
	}
	if raw == nil {
		return nil, errors.New("remediate: FETCH returned no body")
	}
	if len(raw) > limit {
		return nil, ErrTooLarge
	}
	return raw, nil
}

// ensureFolder creates name unless it exists.
func (m *mailbox) ensureFolder(name string) error {
	if _, err := m.c.Status(name, []imap.StatusItem{imap.StatusMessages}); err == nil {
		return nil
	}
	if err := m.c.Create(name); err != nil {
		return fmt.Errorf("remediate: CREATE %s: %w", name, err)
	}
	return nil
}

// move moves uids of the selected folder to dest (MOVE, or COPY+EXPUNGE
// where MOVE is not offered).
func (m *mailbox) move(uids []uint32, dest string) error {
	set := new(imap.SeqSet)
	set.AddNum(uids...)
	if err := m.c.UidMove(set, dest); err != nil {
		return fmt.Errorf("remediate: MOVE to %s: %w", dest, err)
	}
	return nil
}

// expunge removes uids of the selected folder: \Deleted, then UID
// EXPUNGE (RFC 4315 §2.1) so that messages the user marked \Deleted stay.
func (m *mailbox) expunge(uids []uint32) error {
	ok, err := m.c.Support("UIDPLUS")
	if err != nil || !ok {
		return errors.New("remediate: the server lacks UIDPLUS: delete not done (use action = \"move\")")
	}
	set := new(imap.SeqSet)
	set.AddNum(uids...)
	if err := m.c.UidStore(set, imap.FormatFlagsOp(imap.AddFlags, true), []interface{}{imap.DeletedFlag}, nil); err != nil {
		return fmt.Errorf("remediate: STORE \\Deleted: %w", err)
	}
	if _, err := m.c.Execute(&commands.Uid{Cmd: uidExpunge{set}}, nil); err != nil {
		return fmt.Errorf("remediate: UID EXPUNGE: %w", err)
	}
	return nil
}

type uidExpunge struct{ set *imap.SeqSet }

func (u uidExpunge) Command() *imap.Command {
	return &imap.Command{Name: "EXPUNGE", Arguments: []interface{}{u.set}}
}

// appendMsg puts raw back into folder with flags.
func (m *mailbox) appendMsg(folder string, flags []string, raw []byte) error {
	var fl []string
	for _, f := range flags {
		if f != imap.RecentFlag && f != imap.DeletedFlag {
			fl = append(fl, f)
		}
	}
	if err := m.c.Append(folder, fl, time.Time{}, bytes.NewBuffer(raw)); err != nil {
		return fmt.Errorf("remediate: APPEND to %s: %w", folder, err)
	}
	return nil
}
