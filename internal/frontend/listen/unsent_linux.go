package listen

import (
	"net"

	"golang.org/x/sys/unix"
)

// unsent returns the bytes written to c that the kernel has not sent yet
// (the peer's receive window is closed: it does not read).
func unsent(c *net.TCPConn) int {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0
	}
	n := 0
	rc.Control(func(fd uintptr) {
		if ti, err := unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO); err == nil {
			n = int(ti.Notsent_bytes)
		}
	})
	return n
}
