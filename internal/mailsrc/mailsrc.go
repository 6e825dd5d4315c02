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
		_ = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || skipName(d.Name()) {
				return nil
			}
			if isMbox(path) {
				n += countMbox(path)
			} else {
				n++
			}
			return nil
		})
	}
	return n
}

func skipName(n string) bool {
	return strings.HasPrefix(n, ".") || n == "cmds" || strings.HasSuffix(n, ".symbols") || strings.HasSuffix(n, ".json") || strings.HasSuffix(n, ".golden")
}

func walkOne(p string, fn func(Item) error) error {
	if p == "-" {
		b, err := io.ReadAll(io.LimitReader(os.Stdin, MaxMessage))
		if err != nil {
			return fmt.Errorf("mailsrc: stdin: %w", err)
		}
		if bytes.HasPrefix(b, []byte("From ")) && bytes.Contains(b, []byte("\nFrom ")) {
			return splitMbox("-", bytes.NewReader(b), fn)
		}
		return fn(Item{Name: "-", Raw: b})
	}
	st, err := os.Stat(p)
	if err != nil {
		return fmt.Errorf("mailsrc: %w", err)
	}
	if !st.IsDir() {
		return readFile(p, fn)
	}
	var files []string
	err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable entry: skip, keep going
		}
		if d.IsDir() {
			if path != p && strings.HasPrefix(d.Name(), ".") {
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
	if err != nil {
		return err
	}
	sort.Strings(files)
	for _, f := range files {
		if err := readFile(f, fn); err != nil {
			return err
		}
	}
	return nil
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
// blank line (or start the file) and undoes ">From " quoting.
func splitMbox(name string, r io.Reader, fn func(Item) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var cur bytes.Buffer
	idx := 0
	started := false
	prevBlank := true
	emit := func() error {
		if !started {
			return nil
		}
		idx++
		b := append([]byte(nil), cur.Bytes()...)
		// The blank line before the next separator belongs to the format.
		b = bytes.TrimSuffix(b, []byte("\n"))
		cur.Reset()
		return fn(Item{Name: fmt.Sprintf("%s:%d", name, idx), Raw: b})
	}
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 || err == bufio.ErrBufferFull {
			if prevBlank && bytes.HasPrefix(line, []byte("From ")) {
				if e := emit(); e != nil {
					return e
				}
				started = true
				prevBlank = false
				// Skip the rest of a very long separator line.
				for err == bufio.ErrBufferFull {
					line, err = br.ReadSlice('\n')
				}
				continue
			}
			started = true
			if unq := unquoteFrom(line); unq != nil {
				line = unq
			}
			if int64(cur.Len()) < MaxMessage {
				cur.Write(line)
			}
			prevBlank = len(bytes.TrimRight(line, "\r\n")) == 0 && bytes.HasSuffix(line, []byte("\n"))
		}
		if err == bufio.ErrBufferFull {
			prevBlank = false
			continue
		}
		if err != nil {
			if err == io.EOF {
				return emit()
			}
			return fmt.Errorf("mailsrc: %s: %w", name, err)
		}
	}
}

// unquoteFrom turns ">From " (and ">>From ") into one level less.
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
