package spamd

import (
	"bytes"
	"fmt"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"
)

func TestConcurrentPooledReaders(t *testing.T) {
	addr, stop := spamdServer(t)
	defer stop()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 30; i++ {
				mark := fmt.Sprintf("MARK-%d-%d-", g, i)
				body := "Subject: " + mark + "\r\n\r\n" + string(bytes.Repeat([]byte(mark), 3000)) + "\r\n"
				if i%3 == 0 { // a partial request: the reader goes back with bytes in it
					c, _ := net.Dial("tcp", addr)
					c.Write([]byte("PROCESS SPAMC/1.5\r\nContent-length: 99999\r\n\r\n" + body[:5000]))
					c.Close()
				}
				req := []byte("PROCESS SPAMC/1.5\r\nContent-length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body)
				out := exchange(t, addr, req, make([]byte, 4096))
				if !bytes.Contains(out, []byte(body[len(body)-2000:])) || bytes.Count(out, []byte(mark)) != 3001 {
					t.Errorf("%s: reply %q", mark, out[:200])
				}
			}
		}()
	}
	wg.Wait()
	time.Sleep(100 * time.Millisecond)
}
