package listen

import (
	"net"

	"golang.org/x/sys/unix"
)

// unsent returns the bytes written to c that the kernel has not sent yet
// (the peer's receive window is closed: it does not read): SIOCOUTQNSD,
// the kernel's write_seq - snd_nxt, what TCP_INFO's tcpi_notsent_bytes
// holds (TestUnsentMatchesTCPInfo), without TCP_INFO's whole structure
// (allocated here, filled under the socket's lock) at every close.
func unsent(c *net.TCPConn) int {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0
	}
	n := 0
	rc.Control(func(fd uintptr) {
		if v, err := unix.IoctlGetInt(int(fd), unix.SIOCOUTQNSD); err == nil {
			n = v
		}
	})
	return n
}
