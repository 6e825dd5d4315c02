// Package mailsrc reads messages from .eml files, directories, Maildirs,
// mbox files and standard input.
package mailsrc

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// MaxMessage bounds one message read from a file or mbox (bytes). Larger
// messages are truncated here; the parser reports it.
var MaxMessage int64 = 64 << 20

// stdin is read for the path "-" (a variable for tests).
var stdin io.Reader = os.Stdin

// Item is one message read from a source.
type Item struct {
	Name string // file path, "path:N" for the Nth message of an mbox, "-" for stdin
	Raw  []byte
	Err  error // a message that could not be read (the walk goes on)
}

// ErrStop, returned by the callback, ends the walk without error.
var ErrStop = errors.New("mailsrc: stop")

// Walk calls fn for every message under paths, in a stable order. "-" is
// standard input (one message, or an mbox if it starts with "From ").
func Walk(paths []string, fn func(Item) error) error {
	for _, p := range paths {
		if err := walkOne(p, fn); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
	}
	return nil
}

// Count returns how many messages Walk would yield (it reads mbox files).
func Count(paths []string) int {
	n := 0
	for _, p := range paths {
		if p == "-" {
			n++
			continue
		}
		files, err := listFiles(p)
		if err != nil {
			continue
		}
		for _, f := range files {
			if isMbox(f) {
				n += countMbox(f)
			} else {
				n++
			}
		}
	}
	return n
}

// skipName reports files that are not messages: hidden files, golden
// files beside test messages, and Maildir bookkeeping (Dovecot, Courier).
func skipName(n string) bool {
	return strings.HasPrefix(n, ".") || n == "cmds" || strings.HasSuffix(n, ".symbols") || strings.HasSuffix(n, ".json") || strings.HasSuffix(n, ".golden") ||
		strings.HasPrefix(n, "dovecot") || n == "maildirfolder" || n == "subscriptions" || strings.HasPrefix(n, "courierimap")
}

func walkOne(p string, fn func(Item) error) error {
	if p == "-" {
		b, err := io.ReadAll(io.LimitReader(stdin, MaxMessage))
		if err != nil {
			return fmt.Errorf("mailsrc: stdin: %w", err)
		}
		if bytes.HasPrefix(b, []byte("From ")) && bytes.Contains(b, []byte("\nFrom ")) {
			return splitMbox("-", bytes.NewReader(b), fn)
		}
		return fn(Item{Name: "-", Raw: b})
	}
	files, err := listFiles(p)
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := readFile(f, fn); err != nil {
			return err
		}
	}
	return nil
}

// listFiles returns p itself when it is a file, else the message files
// under it in sorted order: hidden entries, Maildir tmp/ and bookkeeping
// files are skipped.
func listFiles(p string) ([]string, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("mailsrc: %w", err)
	}
	if !st.IsDir() {
		return []string{p}, nil
	}
	var files []string
	err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable entry: skip, keep going
		}
		if d.IsDir() {
			if path != p && strings.HasPrefix(d.Name(), ".") && !isMaildir(path) {
				return filepath.SkipDir
			}
			if d.Name() == "tmp" && isMaildir(filepath.Dir(path)) {
				return filepath.SkipDir // Maildir tmp/ holds messages being written
			}
			return nil
		}
		if skipName(d.Name()) || !d.Type().IsRegular() {
			return nil
		}
		files = append(files, path)
		return nil
	})
	sort.Strings(files)
	return files, err
}

func isMaildir(dir string) bool {
	for _, s := range []string{"cur", "new"} {
		if st, err := os.Stat(filepath.Join(dir, s)); err != nil || !st.IsDir() {
			return false
		}
	}
	return true
}

func readFile(path string, fn func(Item) error) error {
	if isMbox(path) {
		f, err := os.Open(path)
		if err != nil {
			return fn(Item{Name: path, Err: err})
		}
		defer f.Close()
		return splitMbox(path, f, fn)
	}
	f, err := os.Open(path)
	if err != nil {
		return fn(Item{Name: path, Err: err})
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxMessage))
	f.Close()
	if err != nil {
		return fn(Item{Name: path, Err: err})
	}
	return fn(Item{Name: path, Raw: b})
}

// isMbox reports whether a file is an mbox: it starts with "From " and a
// second "From " line follows a blank line, or its name says mbox.
func isMbox(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 5)
	if n, _ := io.ReadFull(f, head); n < 5 || string(head) != "From " {
		return false
	}
	base := strings.ToLower(filepath.Base(path))
	if strings.HasSuffix(base, ".mbox") || strings.HasSuffix(base, ".mbx") || base == "mbox" {
		return true
	}
	// A single stored message may keep its "From " line; treat as mbox only
	// when a second separator is present.
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	prevBlank := false
	for sc.Scan() {
		ln := sc.Bytes()
		if prevBlank && bytes.HasPrefix(ln, []byte("From ")) {
			return true
		}
		prevBlank = len(bytes.TrimRight(ln, "\r")) == 0
	}
	return false
}

func countMbox(path string) int {
	n := 0
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	_ = splitMbox(path, f, func(Item) error { n++; return nil })
	return n
}

// splitMbox splits an mboxrd/mboxo stream at "From " lines that follow a
// blank line (or start the file) and undoes ">From " quoting. Line ends
// (LF or CRLF) are kept as written. Each message is bounded by MaxMessage;
// lines of any length are handled.
func splitMbox(name string, r io.Reader, fn func(Item) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var cur bytes.Buffer
	idx := 0
	started := false
	prevBlank := true // the start of the file counts as after a blank line
	midLine := false  // the previous chunk did not end its line
	emit := func() error {
		if !started {
			return nil
		}
		idx++
		b := append([]byte(nil), cur.Bytes()...)
		// The blank line before the next separator belongs to the format.
		if bytes.HasSuffix(b, []byte("\n\r\n")) {
			b = b[:len(b)-2]
		} else if bytes.HasSuffix(b, []byte("\n\n")) {
			b = b[:len(b)-1]
		}
		cur.Reset()
		return fn(Item{Name: fmt.Sprintf("%s:%d", name, idx), Raw: b})
	}
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			if !midLine && prevBlank && bytes.HasPrefix(line, []byte("From ")) && (!started || isSeparator(line)) {
				if e := emit(); e != nil {
					return e
				}
				started = true
				prevBlank = false
				// Skip the rest of a very long separator line.
				for err == bufio.ErrBufferFull {
					line, err = br.ReadSlice('\n')
				}
				midLine = false
				if err != nil && err != io.EOF {
					return fmt.Errorf("mailsrc: %s: %w", name, err)
				}
				if err == io.EOF {
					return emit()
				}
				continue
			}
			started = true
			if !midLine {
				if unq := unquoteFrom(line); unq != nil {
					line = unq
				}
			}
			if int64(cur.Len())+int64(len(line)) <= MaxMessage {
				cur.Write(line)
			}
			if !midLine {
				prevBlank = len(bytes.TrimRight(line, "\r\n")) == 0 && bytes.HasSuffix(line, []byte("\n"))
			} else {
				prevBlank = false
			}
		}
		if err == bufio.ErrBufferFull {
			midLine = true
			prevBlank = false
			continue
		}
		midLine = false
		if err != nil {
			if err == io.EOF {
				return emit()
			}
			return fmt.Errorf("mailsrc: %s: %w", name, err)
		}
	}
}

// isSeparator reports whether a "From " line after a blank line looks like
// an mbox separator ("From sender date"): it carries a date, so a digit.
func isSeparator(line []byte) bool {
	for _, c := range line[5:] {
		if c >= '0' && c <= '9' {
			return true
		}
	}
	return false
}

// unquoteFrom turns ">From " (and ">>From ") into one level less (mboxrd).
func unquoteFrom(line []byte) []byte {
	i := 0
	for i < len(line) && line[i] == '>' {
		i++
	}
	if i > 0 && bytes.HasPrefix(line[i:], []byte("From ")) {
		return line[1:]
	}
	return nil
}

// SplitMbox splits an mbox stream into messages (see Walk). name prefixes
// each Item's Name ("name:N").
func SplitMbox(name string, r io.Reader, fn func(Item) error) error {
	err := splitMbox(name, r, fn)
	if errors.Is(err, ErrStop) {
		return nil
	}
	return err
}
